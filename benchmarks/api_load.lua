-- wrk script for api_load.py: POST /api/v1/requests/ with a fresh Idempotency-Key and
-- caller per request; counts 201s and the rest per thread.
-- Usage: wrk -t2 -c32 -d30s --latency -s api_load.lua URL -- TOKEN TAG [CATEGORY]
-- Callers' numbers are +90 532 and seven digits, the range the bulk generator gives its
-- citizens (kent360/reports/scale.py): against a generated database some are known.
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  token = args[1]
  tag = args[2]
  category = args[3] or "cop"
  -- "email": the caller also gives an e-mail address, so each create queues the citizen's
  -- "received" notification (rendered, stored, its delivery task queued)
  with_email = args[4] == "email"
  n = 0
  created = 0
  errors = 0
end

function request()
  n = n + 1
  local key = tag .. "-" .. id .. "-" .. n
  local email = ""
  if with_email then
    email = string.format(',"contact_email":"vatandas%d.%d@example.org"', id, n)
  end
  local body = string.format(
    '{"channel":"api","subject":"Çöp toplanmadı %s",'
      .. '"text":"Sokağımızdaki konteyner iki gündür boşaltılmadı.",'
      .. '"category":"%s","contact_phone":"+90532%07d","neighbourhood":"Erzene",'
      .. '"latitude":38.46,"longitude":27.22%s}',
    key, category, (id * 1000003 + n) % 9000000 + 1000000, email)
  return wrk.format("POST", "/api/v1/requests/", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Token " .. token,
    ["Idempotency-Key"] = key,
  }, body)
end

function response(status, headers, body)
  if status == 201 then
    created = created + 1
  else
    errors = errors + 1
    if errors < 3 then io.stderr:write("error " .. status .. " " .. body:sub(1, 300) .. "\n") end
  end
end

function done(summary, latency, requests)
  local c, e = 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("created")
    e = e + t:get("errors")
  end
  io.write(string.format(
    "WRK created=%d errors=%d socket_errors=%d p50=%.2f p95=%.2f p99=%.2f max=%.2f duration_s=%.2f\n",
    c, e,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, summary.duration / 1e6))
end
