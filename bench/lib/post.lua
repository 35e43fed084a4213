-- wrk script: POSTs a JSON body read from $BENCH_BODY, optionally with "Authorization: Bearer $BENCH_KEY",
-- and prints one machine-readable line at the end (latencies in microseconds, as wrk measures them:
-- from writing the request to having read the whole response, so for a stream this is the full stream).
-- With BENCH_UNIQUE_PROMPTS=1 every request's body differs: a number unique across wrk's threads follows the
-- first "benchmark" in it, so that nothing the gateway remembers about a prompt (token counts) is reused.
local function slurp(path)
  local f = assert(io.open(path, "rb"), "cannot open " .. tostring(path))
  local s = f:read("*a")
  f:close()
  return s
end

wrk.method = "POST"
wrk.body = slurp(os.getenv("BENCH_BODY"))
wrk.headers["Content-Type"] = "application/json"
local key = os.getenv("BENCH_KEY")
if key ~= nil and key ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. key
end

local threads = 0
function setup(thread)
  thread:set("thread_index", threads)
  threads = threads + 1
end

if os.getenv("BENCH_UNIQUE_PROMPTS") == "1" then
  local head, tail = string.match(wrk.body, "^(.-benchmark)(.*)$")
  assert(head, "BENCH_UNIQUE_PROMPTS needs the word 'benchmark' in the body")
  local sent = 0
  function request()
    sent = sent + 1
    return wrk.format(nil, nil, nil, head .. " " .. (thread_index or 0) .. "-" .. sent .. tail)
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  local secs = summary.duration / 1e6
  io.write(string.format(
    "BENCH_RESULT requests=%d seconds=%.3f rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d mean_us=%.1f "
      .. "connect_err=%d read_err=%d write_err=%d timeout_err=%d status_err=%d bytes=%d\n",
    summary.requests, secs, summary.requests / secs,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    e.connect, e.read, e.write, e.timeout, e.status, summary.bytes))
end
