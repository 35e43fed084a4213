# nginx server blocks of the canned upstreams, shared by bench/run.sh and bench/paired.sh; both set NGX (the
# nginx prefix, whose www/ holds the canned files) before calling them.
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
