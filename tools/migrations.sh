#!/usr/bin/env bash
# Adds (or removes) an EF Core migration for BOTH databases ImageHub supports. See docs/migrations.md.
#   bash tools/migrations.sh add <Name>     generate Data/Migrations/Sqlite/<ts>_<Name>.cs and Data/Migrations/Postgres/<ts>_<Name>.cs
#   bash tools/migrations.sh remove         remove the last migration of both sets
#   bash tools/migrations.sh list           list both sets
#   bash tools/migrations.sh reset          delete both sets and generate one "Initial" from the current model
#                                           (only while nothing has shipped: see docs/migrations.md)
# The dotnet-ef local tool (.config/dotnet-tools.json) runs against the web project itself, which references
# Microsoft.EntityFrameworkCore.Design and holds the design-time factories (Data/DesignTimeFactories.cs).
set -euo pipefail
cd "$(dirname "$0")/.."
# One migration run at a time (several people may share a working tree).
exec 9>"${TMPDIR:-/tmp}/imagehub-migrations.lock"
flock 9
dotnet tool restore >/dev/null
web=src/ImageHub.Web/ImageHub.Web.csproj
build() { dotnet build "$web" -nologo -v q; }
ef() { dotnet tool run dotnet-ef "$@" --project "$web" --startup-project "$web" --no-build; }
case "${1:-}" in
  add)
    name="${2:?usage: migrations.sh add <Name>}"
    build
    ef migrations add "$name" --context SqliteAppDbContext --output-dir Data/Migrations/Sqlite
    ef migrations add "$name" --context PostgresAppDbContext --output-dir Data/Migrations/Postgres
    ;;
  remove)
    build
    ef migrations remove --context SqliteAppDbContext --force
    build
    ef migrations remove --context PostgresAppDbContext --force
    ;;
  reset)
    rm -rf src/ImageHub.Web/Data/Migrations/Sqlite src/ImageHub.Web/Data/Migrations/Postgres
    build
    ef migrations add Initial --context SqliteAppDbContext --output-dir Data/Migrations/Sqlite
    ef migrations add Initial --context PostgresAppDbContext --output-dir Data/Migrations/Postgres
    ;;
  list)
    build
    ef migrations list --context SqliteAppDbContext --no-connect
    ef migrations list --context PostgresAppDbContext --no-connect
    ;;
  *) sed -n 2,7p "$0"; exit 2 ;;
esac
