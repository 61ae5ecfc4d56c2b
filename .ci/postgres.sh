# Source this file (as root) to start a throwaway PostgreSQL cluster for the
# tests: it runs as the postgres user in a temporary directory, listens on
# a free loopback port only, and is stopped when the sourcing shell exits.
# It exports BUDGETGRID_TEST_POSTGRES, the URL of a fresh database.
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
if [ ! -x "$pg_bin/initdb" ]; then
  echo "PostgreSQL is not installed (apt-get install postgresql)" >&2
  return 1
fi
pg_dir=$(mktemp -d /tmp/budgetgrid-pg.XXXXXX)
chown postgres: "$pg_dir"
pg_port=
for p in $(seq 54320 54420); do
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then pg_port=$p; break; fi
done
if [ -z "$pg_port" ]; then echo "no free port for PostgreSQL" >&2; return 1; fi
runuser -u postgres -- "$pg_bin/initdb" -D "$pg_dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$pg_dir/initdb.log"
runuser -u postgres -- "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w \
  -o "-k $pg_dir -p $pg_port -c listen_addresses=127.0.0.1 -c max_connections=300" start >/dev/null
pg_stop() { runuser -u postgres -- "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -w stop >/dev/null 2>&1 || true; rm -rf "$pg_dir"; }
trap pg_stop EXIT
runuser -u postgres -- "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres budgetgrid_test
export BUDGETGRID_TEST_POSTGRES="postgres://postgres@127.0.0.1:$pg_port/budgetgrid_test?sslmode=disable"
echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$pg_port ($pg_dir)"
