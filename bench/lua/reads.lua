-- The read half of the mixed load: API pages an admin client polls, over
-- random seeded users and reports. Args: nickname file, report id file. The
-- token comes in by wrk -H.
dofile("bench/lua/common.lua")

local names, reports

function init(args)
  seed_random()
  names = read_lines(args[1])
  reports = read_lines(args[2])
end

function request()
  local r = math.random(5)
  local path
  if r == 1 then
    path = "/api/v1/admin/users?page_size=50"
  elseif r == 2 then
    path = "/api/v1/admin/users?page_size=50&page=" .. math.random(20)
  elseif r == 3 then
    path = "/api/v1/admin/users/" .. urlencode(pick(names))
  elseif r == 4 then
    path = "/api/v1/admin/reports?state=open&page_size=50"
  else
    path = "/api/v1/admin/reports/" .. pick(reports)
  end
  return wrk.format("GET", path)
end
