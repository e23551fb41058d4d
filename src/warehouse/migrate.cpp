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

// libpqxx 6 maps SQLSTATE 42501 to its own class (and leaves sqlstate() empty on this path).
bool insufficient_privilege(const pqxx::sql_error& e) {
    return dynamic_cast<const pqxx::insufficient_privilege*>(&e) != nullptr || e.sqlstate() == "42501";
}

// The reader role exists afterwards, or the returned text says why not and what to run.
std::string ensure_reader_role(Database& db) {
    try {
        db.with_transaction([](pqxx::work& tx) {
            tx.exec(std::string("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '") + kReaderRole +
                    "') THEN CREATE ROLE " + kReaderRole + " NOLOGIN; END IF; END $$");
        });
        return {};
    } catch (const pqxx::sql_error& e) {
        // Roles belong to the cluster: another database's migrate may have created it meanwhile.
        if (dynamic_cast<const pqxx::unique_violation*>(&e) || std::string(e.what()).find("already exists") != std::string::npos)
            return {};
        if (!insufficient_privilege(e)) throw;
        return std::string("this database user may not create roles, so the BI reader role is missing; a superuser "
                           "(or a role with CREATEROLE) should run: CREATE ROLE ") +
               kReaderRole + " NOLOGIN; then run dicomlake migrate again to grant it the views";
    }
}

// Exactly the public views: whatever was granted before is revoked first, in the same transaction.
long grant_reader_views(Database& db) {
    return db.with_transaction([](pqxx::work& tx) {
        std::string role = tx.quote_name(kReaderRole);
        tx.exec("REVOKE ALL ON ALL TABLES IN SCHEMA dicomlake FROM " + role);
        tx.exec("GRANT USAGE ON SCHEMA dicomlake TO " + role);
        long n = 0;
        for (const auto& r : tx.exec("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                                     " WHERE n.nspname = 'dicomlake' AND c.relkind IN ('v', 'm')"
                                     " AND c.relname LIKE 'v\\_%' ORDER BY c.relname")) {
            tx.exec("GRANT SELECT ON dicomlake." + tx.quote_name(r[0].as<std::string>()) + " TO " + role);
            ++n;
        }
        return n;
    });
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
    try {
        report.reader_warning = ensure_reader_role(db);
        if (report.reader_warning.empty()) report.reader_views = grant_reader_views(db);
    } catch (const pqxx::sql_error& e) {
        // The schema is migrated; only the grants are missing (views owned by another role?).
        report.reader_warning = std::string("the views could not be granted to ") + kReaderRole + " (" +
                                (insufficient_privilege(e) ? "permission denied" : "database error") +
                                "); run dicomlake migrate as the owner of the dicomlake schema";
    }
    return report;
}

}  // namespace dicomlake::warehouse
