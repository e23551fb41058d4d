#include "warehouse/database.hpp"

#include <regex>

#include "util/error.hpp"
#include "util/redact.hpp"
#include "warehouse/migrations_embedded.hpp"

namespace dicomlake::warehouse {

namespace {

// The first line of a libpq/libpqxx message, credentials masked: libpq quotes the whole
// connection string in some errors (an unparsable URI, a bad keyword), password included.
std::string first_line(const std::string& text) {
    std::string s = redact(text);
    auto nl = s.find('\n');
    if (nl != std::string::npos) s.resize(nl);
    return s;
}

}  // namespace

std::string safe_db_message(const std::exception& e) {
    std::string msg = first_line(e.what());
    static const std::regex quoted(R"("[^"]*")");
    msg = std::regex_replace(msg, quoted, "\"...\"");
    if (auto* sql = dynamic_cast<const pqxx::sql_error*>(&e); sql != nullptr && !sql->sqlstate().empty())
        msg = "SQLSTATE " + sql->sqlstate() + ": " + msg;
    return msg;
}

void rethrow_as_database_error(const std::exception& e, const std::string& doing) {
    throw DatabaseError("lost the PostgreSQL connection while " + doing + ": " + first_line(e.what()) +
                        " (check that the server is up; the run can be repeated safely)");
}

Database::Database(const std::string& url) {
    if (url.empty())
        throw ConfigError("no database: set DICOMLAKE_DB_URL (a libpq URI such as "
                          "postgresql://dicomlake@dbhost/dicomlake) or [database] url in the configuration file");
    try {
        conn_ = std::make_unique<pqxx::connection>(url);
    } catch (const pqxx::broken_connection& e) {
        throw DatabaseError("cannot connect to PostgreSQL at " + redact(url) + ": " + first_line(e.what()) +
                            " (is the server running, and do the host, port, user and password match?)");
    } catch (const std::exception& e) {
        throw ConfigError("invalid database URL " + redact(url) + ": " + first_line(e.what()));
    }
}

int Database::schema_version() {
    return with_transaction([](pqxx::work& tx) {
        auto exists = tx.exec1("SELECT to_regclass('dicomlake.schema_version') IS NOT NULL");
        if (!exists[0].as<bool>()) return 0;
        auto r = tx.exec1("SELECT coalesce(max(version), 0) FROM dicomlake.schema_version");
        return r[0].as<int>();
    });
}

void Database::require_current_schema() {
    int have = schema_version();
    int want = embedded_migrations().empty() ? 0 : embedded_migrations().back().version;
    if (have < want)
        throw ConfigError("the warehouse schema is at version " + std::to_string(have) + ", this dicomlake needs " +
                          std::to_string(want) + ": run `dicomlake migrate` first");
    if (have > want)
        throw ConfigError("the warehouse schema (version " + std::to_string(have) +
                          ") is newer than this dicomlake (" + std::to_string(want) +
                          "): upgrade dicomlake on this machine");
}

}  // namespace dicomlake::warehouse
