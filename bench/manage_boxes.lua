-- wrk script: the ManageBoxes page query (P1), as the front-end sends it on mount: first 50,
-- with no state filter or one of the three preload filters (InStock, Donated, Scrap), so
-- consecutive requests differ. The body is read from the file named by DEPOT_BENCH_BODIES.
local bodies = {}
local token = os.getenv("DEPOT_BENCH_TOKEN")

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
  if status ~= 200 then
    io.stderr:write("non-200 response: " .. status .. "\n")
  end
end
