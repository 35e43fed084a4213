# nginx configuration pieces: the canned upstreams' server blocks and the common head, shared by
# bench/run.sh and bench/paired.sh; both set NGX (the nginx prefix, whose www/ holds the canned files) first.
# shellcheck shell=bash
# (a) canned non-streaming chat completion. A static file answers POST with 405; error_page turns
# that into an internal GET of the same URI, so POST /v1/chat/completions returns the file with 200.
canned_json_block() { # canned_json_block PORT
  cat <<EOF
  server {
    listen 127.0.0.1:$1 backlog=4096 reuseport;
    location = /v1/chat/completions {
      default_type application/json;
      alias $NGX/www/chat-completion.json;
      error_page 405 =200 \$uri;
      etag off;
    }
    location / { return 404; }
  }
EOF
}
# (a) canned SSE stream. sub_filter (never matching) drops Content-Length, so the stream goes out
# with Transfer-Encoding: chunked like a real provider's.
canned_sse_block() { # canned_sse_block PORT
  cat <<EOF
  server {
    listen 127.0.0.1:$1 backlog=4096 reuseport;
    location = /v1/chat/completions {
      default_type text/event-stream;
      alias $NGX/www/chat-stream.sse;
      error_page 405 =200 \$uri;
      etag off;
      add_header Cache-Control no-cache;
      sub_filter_types text/event-stream;
      sub_filter "@@bench-never-matches@@" "";
    }
    location / { return 404; }
  }
EOF
}
# The top of an nginx.conf up to and including the http block's common settings; the caller adds its
# server blocks and the closing brace.
nginx_head() { # nginx_head WORKERS
  cat <<EOF
worker_processes $1;
worker_rlimit_nofile 65536;
daemon off;
pid $NGX/nginx.pid;
error_log $NGX/logs/error.log warn;
events { worker_connections 16384; }
http {
  access_log off;
  client_body_temp_path $NGX/tmp/client_body;
  proxy_temp_path $NGX/tmp/proxy;
  fastcgi_temp_path $NGX/tmp/fastcgi;
  uwsgi_temp_path $NGX/tmp/uwsgi;
  scgi_temp_path $NGX/tmp/scgi;
  types {}
  sendfile on;
  tcp_nodelay on;
  keepalive_timeout 75s;
  keepalive_requests 10000000;
  open_file_cache max=16 inactive=600s;
  open_file_cache_valid 600s;
  server_tokens off;
EOF
}
