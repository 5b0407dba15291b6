-- A sign-in flood: wrong-password POST /login, a different nickname each time
-- (nine in ten real local accounts, so their stored hash is verified; one in
-- ten unknown, which verifies against the dummy hash). Args: nickname file, origin.
dofile("bench/lua/common.lua")

local names, origin, n

function init(args)
  seed_random()
  names = read_lines(args[1])
  origin = args[2]
  n = 0
end

function request()
  n = n + 1
  local nickname
  if math.random(10) == 1 then nickname = "nosuch" .. tid .. "x" .. n else nickname = pick(names) end
  local body = "nickname=" .. urlencode(nickname) .. "&password=" .. urlencode("wrong password " .. n)
  return wrk.format("POST", "/login", headers_with({
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Origin"] = origin,
  }), body)
end
