-- wrk script: the ManageBoxes page query (P1), as the front-end sends it on mount: first 50,
-- with no state filter or one of the three preload filters (InStock, Donated, Scrap), so
-- consecutive requests differ. The body is read from the file named by DEPOT_BENCH_BODIES
-- (another file holds another workload, BoxView's for P3). At the end, one line per HTTP
-- status answered, "status <code> <count>", so a run shows its share of 503s.
local bodies = {}
local token = os.getenv("DEPOT_BENCH_TOKEN")
local threads = {}
statuses = {}     -- per thread (each has its own Lua state); done() adds them up

function setup(thread)
  threads[#threads + 1] = thread
end

function init(args)
  local path = os.getenv("DEPOT_BENCH_BODIES")
  for line in io.lines(path) do
    bodies[#bodies + 1] = line
  end
end

local n = 0
function request()
  n = n + 1
  local body = bodies[(n % #bodies) + 1]
  return wrk.format("POST", "/graphql", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
  }, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      total[status] = (total[status] or 0) + count
    end
  end
  for status, count in pairs(total) do
    io.write(string.format("status %d %d\n", status, count))
  end
end
