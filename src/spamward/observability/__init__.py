"""Observability: Prometheus metrics (`/metrics`) and structured logs.

- `metrics`: the counters and histograms recorded as spamward works (decisions, entities,
  action results and retries), multiprocess-safe through prometheus_client.
- `collector`, `gauge_queries`: gauges read from the database at scrape time.
- `endpoint`: the `/metrics` route.
- `logs`, `decision_watch`: the log format (text or JSON) and the decision's log context.
"""
