-- Shared by the wrk scripts: counts responses by status in each thread and
-- prints one summary line from done(), which bench/lib.sh's wrk_lua parses.
-- wrk runs each thread in its own Lua state, so the counts are gathered with
-- thread:get() at the end.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

statuses = {}

-- A 503 must say when to come back; any that do not are also counted as
-- "503-without-retry-after".
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 503 and not (headers["retry-after"] or headers["Retry-After"]) then
    statuses["503-without-retry-after"] = (statuses["503-without-retry-after"] or 0) + 1
  end
end

-- Each thread's own random sequence: all threads start from the same seed otherwise.
function seed_random()
  math.randomseed(os.time() * 1000 + (tid or 0) * 7919)
  for _ = 1, 10 do math.random() end
end

function read_lines(path)
  local lines = {}
  for line in io.lines(path) do
    if line ~= "" then table.insert(lines, line) end
  end
  assert(#lines > 0, "no lines in " .. path)
  return lines
end

function urlencode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function pick(list)
  return list[math.random(#list)]
end

-- k different entries of list (k is small, list is large).
function pick_distinct(list, k)
  local out, seen = {}, {}
  while #out < k do
    local v = pick(list)
    if not seen[v] then seen[v] = true; table.insert(out, v) end
  end
  return out
end

-- wrk.format drops the -H headers when given its own table: start from them.
function headers_with(extra)
  local h = {}
  for k, v in pairs(wrk.headers) do h[k] = v end
  for k, v in pairs(extra) do h[k] = v end
  return h
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for status, n in pairs(t:get("statuses")) do total[status] = (total[status] or 0) + n end
  end
  local parts = {}
  for status, n in pairs(total) do table.insert(parts, status .. ":" .. n) end
  table.sort(parts)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d secs=%.1f rps=%.1f p50_ms=%.1f p99_ms=%.1f max_ms=%.0f statuses=%s socket_errors=connect:%d,read:%d,write:%d,timeout:%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    #parts > 0 and table.concat(parts, ",") or "none",
    e.connect, e.read, e.write, e.timeout))
end
