-- usage_daily for csbot, aggregated in the warehouse (csbot sync run warehouse).
--
-- Copy this file, adapt it to your tables, and point CSBOT_USAGE_SQL_FILE at it
-- (CSBOT_USAGE_SQL_URL names the warehouse). It must return exactly one row per
-- account and day with these columns (DATA_CONTRACT.md, usage_daily):
--
--   account_id       the account key csbot holds (the CRM / accounts.csv id)
--   date             a DATE (not text): the day the usage happened
--   active_users     distinct users active that day
--   logins           login events that day
--   events           all events that day
--   features_used    distinct features used that day
--   session_minutes  minutes in sessions that day
--
-- csbot runs it as a subquery, filtered and ordered for you:
--   SELECT * FROM (<this file>) AS u WHERE u.date >= :since ORDER BY u.date, u.account_id
-- so no ORDER BY is needed here. :since is a DATE bound by csbot (a parameter, never
-- pasted into the text): the first day it needs, i.e. its cursor less the look-back
-- (CSBOT_USAGE_SQL_LOOKBACK_DAYS, 3 by default: late events re-aggregate those days),
-- or 1900-01-01 on a first or --full run. Using it below as well keeps each run's scan
-- of raw events to those few days instead of the whole history.
--
-- This example reads a raw `events` table, one row per tracked event:
--   account_id TEXT, user_id TEXT, event_name TEXT ('login', ...), feature TEXT (NULL
--   when the event is not a feature use), occurred_at TIMESTAMP (UTC),
--   duration_seconds NUMERIC (set on 'session_end' events, else NULL)
-- Days are UTC days. Accounts csbot does not know (trials, test tenants) are skipped
-- and counted by csbot; filter them here if you prefer.
-- Portable SQL: runs as is on PostgreSQL and DuckDB (and Snowflake / BigQuery).
SELECT
    account_id,
    CAST(occurred_at AS DATE) AS date,
    COUNT(DISTINCT user_id) AS active_users,
    SUM(CASE WHEN event_name = 'login' THEN 1 ELSE 0 END) AS logins,
    COUNT(*) AS events,
    COUNT(DISTINCT feature) AS features_used,
    ROUND(SUM(COALESCE(duration_seconds, 0)) / 60.0, 1) AS session_minutes
FROM events
WHERE occurred_at >= CAST(:since AS TIMESTAMP)
GROUP BY account_id, CAST(occurred_at AS DATE)
