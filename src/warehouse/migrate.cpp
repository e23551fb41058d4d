#include "warehouse/migrate.hpp"

#include <cstdio>

#include "util/error.hpp"
#include "warehouse/migrations_embedded.hpp"

namespace dicomlake::warehouse {

namespace {

std::string label(const EmbeddedMigration& m) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d_", m.version);
    return buf + std::string(m.name);
}

}  // namespace

MigrationReport migrate(Database& db) {
    MigrationReport report;
    try {
        db.with_transaction([&](pqxx::work& tx) {
            // Two migrating processes must not interleave.
            tx.exec("SELECT pg_advisory_xact_lock(hashtext('dicomlake.migrate'))");
            tx.exec("CREATE SCHEMA IF NOT EXISTS dicomlake");
            tx.exec(
                "CREATE TABLE IF NOT EXISTS dicomlake.schema_version ("
                " version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,"
                " applied_at timestamptz NOT NULL DEFAULT now(), dicomlake_version text)");
            report.from_version = tx.exec1("SELECT coalesce(max(version), 0) FROM dicomlake.schema_version")[0].as<int>();
            for (const auto& m : embedded_migrations()) {
                if (m.version <= report.from_version) {
                    auto r = tx.exec_params(
                        "SELECT checksum = md5($2) FROM dicomlake.schema_version WHERE version = $1", m.version,
                        std::string(m.sql));
                    if (!r.empty() && !r[0][0].as<bool>()) report.changed_since.push_back(label(m));
                    continue;
                }
                tx.exec(m.sql);
                tx.exec_params(
                    "INSERT INTO dicomlake.schema_version (version, name, checksum, dicomlake_version)"
                    " VALUES ($1, $2, md5($3), $4)",
                    m.version, std::string(m.name), std::string(m.sql), std::string(DICOMLAKE_VERSION));
                report.applied.push_back(label(m));
            }
            report.to_version = tx.exec1("SELECT coalesce(max(version), 0) FROM dicomlake.schema_version")[0].as<int>();
        });
    } catch (const pqxx::sql_error& e) {
        throw Error(ExitCode::internal, "migration failed and was rolled back: " + std::string(e.what()));
    }
    return report;
}

}  // namespace dicomlake::warehouse
