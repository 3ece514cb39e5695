-- POSTs rotating event bodies to /v1/events and counts non-2xx answers across threads.
-- Arguments after `--`: a file of JSON bodies, one a line, and the API key.
local threads = {}

function setup(thread)
  thread:set("thread_number", #threads)
  table.insert(threads, thread)
end

function init(args)
  local headers = {
    ["Authorization"] = "Bearer " .. args[2],
    ["Content-Type"] = "application/json",
  }
  prepared = {}
  for body in io.lines(args[1]) do
    table.insert(prepared, wrk.format("POST", "/v1/events", headers, body))
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
