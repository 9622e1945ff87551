-- wrk script (benchmarks/harness.py): one thread sends the requests listed in the Lua file
-- named by $REPLAY_PATHS (a table of paths with their query strings) over its connections,
-- each once in order, and ends the run when all are answered; it times that itself.
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } replay_timespec;
int clock_gettime(int clock, replay_timespec *now);
int kill(int pid, int signal);
int getpid(void);
]]
local clock = ffi.new("replay_timespec")
local function now()
  ffi.C.clock_gettime(1, clock) -- CLOCK_MONOTONIC
  return tonumber(clock.tv_sec) + tonumber(clock.tv_nsec) * 1e-9
end

local paths = dofile(os.getenv("REPLAY_PATHS"))
local requests = {}
local sent = 0
-- read from the main thread by done(): globals of the worker thread
started, finished, answered, failed = 0, 0, 0, 0

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  for k, path in ipairs(paths) do
    requests[k] = wrk.format("GET", path)
  end
end

function request()
  if started == 0 then started = now() end
  sent = sent + 1
  -- connections still open when the last is answered ask again from the top: not counted
  return requests[(sent - 1) % #requests + 1]
end

function response(status, headers, body)
  answered = answered + 1
  if status ~= 200 then failed = failed + 1 end
  if answered == #paths then
    finished = now()
    ffi.C.kill(ffi.C.getpid(), 2) -- SIGINT: wrk stops its wait and reports
  end
end

function done(summary, latency, requests)
  local t = threads[1]
  local errors = summary.errors
  io.write(string.format(
    '{"answered": %d, "started": %.6f, "finished": %.6f, "duration_s": %.6f, ' ..
    '"failed": %d, "socket_errors": %d, "p50_us": %d, "p99_us": %d, "max_us": %d}\n',
    t:get("answered"), t:get("started"), t:get("finished"), summary.duration / 1e6,
    t:get("failed"), errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
