-- POSTs rotating emails to Rspamd's /checkv2 and counts non-2xx answers across threads.
-- Argument after `--`: a file of emails separated by NUL bytes (bench/rspamd_email.py).
local threads = {}

function setup(thread)
  thread:set("thread_number", #threads)
  table.insert(threads, thread)
end

function init(args)
  local file = assert(io.open(args[1], "rb"))
  local emails = file:read("*a")
  file:close()
  prepared = {}
  for email in string.gmatch(emails, "[^%z]+") do
    table.insert(prepared, wrk.format("POST", "/checkv2", {}, email))
  end
  position = (thread_number * 97) % #prepared
  non_2xx = 0
end

function request()
  position = position % #prepared + 1
  return prepared[position]
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non_2xx = non_2xx + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("non_2xx")
  end
  io.write(string.format("bench non-2xx responses: %d\n", total))
end
