-- wrk script for benchmarks/rush.py: each wrk thread is one guest buyer after another on
-- one connection (run with as many threads as connections). A buyer GETs the checkout
-- form, POSTs it once with a unique name and email, and follows the 303 to the order page.
-- The thread keeps the CSRF cookie it was given for all its buyers (as a light client
-- would), and logs each POST (status, when it was sent, how long it took, in microseconds
-- on the monotonic clock) to a file of its own, read by rush.py once wrk is done. At the
-- first sold-out answer (the form without a submission key, or a 409) a thread says so
-- with a file and from then on only asks for the form; rush.py stops wrk when every thread
-- has. (Not `wrk.thread:stop()`: wrk has already opened the next connection by then, and
-- it would hold a sync worker, with nothing sent on it, until gunicorn's timeout.)
--
-- In "light" mode (the issue's own measure, a light client) a thread GETs the form once,
-- for its CSRF cookie and token, then only POSTs, each time with a new submission key of
-- its own making (any token-shaped key is accepted, as a browser's second tab would send),
-- and does not follow the redirect.
--
-- Arguments (after `--`): the checkout path, the ticket type's pk, the log directory, the
-- mode ("full" or "light").

local ffi = require("ffi")
ffi.cdef([[
typedef struct { long tv_sec; long tv_nsec; } rush_timespec;
int clock_gettime(int clock_id, rush_timespec *tp);
]])
local CLOCK_MONOTONIC = 1
local clock = ffi.new("rush_timespec")

local function now_us()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, clock)
  return tonumber(clock.tv_sec) * 1000000 + math.floor(tonumber(clock.tv_nsec) / 1000)
end

local counter = 0
local threads = 0

-- Runs in wrk's main Lua state, once per thread: number the threads.
function setup(thread)
  thread:set("buyer_id", threads)
  threads = threads + 1
end

local form_path, ticket_field, log, log_dir, run_id
local state = "form"
local cookie, csrf, submission, order_path
local sent_at = 0
local sold_out = false
local light = false
local KEY_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

local function new_key()
  local key = {}
  for i = 1, 32 do
    local n = math.random(1, #KEY_CHARS)
    key[i] = KEY_CHARS:sub(n, n)
  end
  return table.concat(key)
end

local function urlencode(text)
  return (text:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function init(args)
  form_path = args[1]
  run_id = args[2]
  ticket_field = "qty_" .. args[2]
  log_dir = args[3]
  light = args[4] == "light"
  math.randomseed(now_us() + buyer_id)
  log = io.open(log_dir .. "/buyer-" .. buyer_id .. ".log", "w")
  log:setvbuf("line")
  log:write("start ", now_us(), "\n")
end

function request()
  local headers = {}
  if cookie then headers["Cookie"] = "csrftoken=" .. cookie end
  if state == "post" then
    counter = counter + 1
    -- Unique across rounds too (the ticket type is new each round): the per-email limit's
    -- counts outlive a round in the shared cache.
    local who = run_id .. "-" .. buyer_id .. "-" .. counter
    local body = table.concat({
      "csrfmiddlewaretoken=" .. urlencode(csrf),
      "submission=" .. urlencode(submission),
      "offer=",
      ticket_field .. "=1",
      "name=" .. urlencode("Rush Buyer " .. who),
      "email=" .. urlencode("rush-" .. who .. "@example.org"),
      "phone=",
      "payment_method=free",
    }, "&")
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    sent_at = now_us()
    return wrk.format("POST", form_path, headers, body)
  elseif state == "order" then
    return wrk.format("GET", order_path, headers)
  end
  return wrk.format("GET", form_path, headers)
end

function response(status, headers, body)
  if sold_out then
    return
  end
  if state == "form" then
    local set_cookie = headers["Set-Cookie"] or headers["set-cookie"]
    if set_cookie then
      cookie = set_cookie:match("csrftoken=([^;]+)") or cookie
    end
    submission = body:match('name="submission" value="([^"]+)"')
    csrf = body:match('name="csrfmiddlewaretoken" value="([^"]+)"')
    if status == 200 and not submission then
      log:write("form-sold-out ", now_us(), "\n")
      sold_out = true
    elseif status ~= 200 or not csrf then
      log:write("form-error ", status, " ", now_us(), "\n")
    else
      state = "post"
    end
  elseif state == "post" then
    local finished = now_us()
    log:write("post ", status, " ", sent_at, " ", finished - sent_at, "\n")
    if status == 303 and light then
      submission = new_key()
    elseif status == 303 then
      order_path = headers["Location"] or headers["location"]
      state = "order"
    elseif status == 409 then
      sold_out = true
    else
      state = "form"
    end
  else
    log:write("order ", status, " ", now_us(), "\n")
    state = "form"
  end
  if sold_out then
    io.open(log_dir .. "/sold-out-" .. buyer_id, "w"):close()
    state = "form"
  end
end
