-- The write half of the mixed load: Pleroma-style bulk user actions and
-- report state changes on 1-3 random seeded targets each. Args: nickname
-- file, report id file. The admin token comes in by wrk -H.
dofile("bench/lua/common.lua")

local names, reports
local tags = { "bench-a", "bench-b", "bench-c" }
local states = { "open", "resolved", "closed" }

function init(args)
  seed_random()
  names = read_lines(args[1])
  reports = read_lines(args[2])
end

local function nicknames()
  local out = pick_distinct(names, math.random(3))
  return '["' .. table.concat(out, '","') .. '"]'
end

function request()
  local r = math.random(4)
  local method, path, body
  if r == 1 then
    method, path, body = "PATCH", "/api/v1/admin/users/deactivate", '{"nicknames":' .. nicknames() .. "}"
  elseif r == 2 then
    method, path, body = "PATCH", "/api/v1/admin/users/activate", '{"nicknames":' .. nicknames() .. "}"
  elseif r == 3 then
    method, path = "PUT", "/api/v1/admin/users/tag"
    body = '{"nicknames":' .. nicknames() .. ',"tags":["' .. pick(tags) .. '"]}'
  else
    local items = {}
    for i, id in ipairs(pick_distinct(reports, math.random(3))) do
      items[i] = string.format('{"id":"%s","state":"%s"}', id, pick(states))
    end
    method, path, body = "PATCH", "/api/v1/admin/reports", '{"reports":[' .. table.concat(items, ",") .. "]}"
  end
  return wrk.format(method, path, headers_with({ ["Content-Type"] = "application/json" }), body)
end
