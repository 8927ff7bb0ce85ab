#!/usr/bin/env bash
# Start the local PostgreSQL cluster and make sure the csbot test role and database exist.
set -euo pipefail
version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h 2>/dev/null | grep -q .; then
  pg_createcluster "$version" main >/dev/null
fi
cluster=$(pg_lsclusters -h | head -n 1 | awk '{print $1" "$2}')
pg_ctlcluster $cluster start 2>/dev/null || true
for _ in $(seq 1 30); do
  pg_isready -h 127.0.0.1 -q && break
  sleep 1
done
su postgres -c "psql -q -tAc \"SELECT 1 FROM pg_roles WHERE rolname='csbot'\"" | grep -q 1 \
  || su postgres -c "psql -q -c \"CREATE ROLE csbot LOGIN SUPERUSER PASSWORD 'csbot'\""
su postgres -c "psql -q -tAc \"SELECT 1 FROM pg_database WHERE datname='csbot_test'\"" | grep -q 1 \
  || su postgres -c "psql -q -c \"CREATE DATABASE csbot_test OWNER csbot\""
echo "postgres ready"
