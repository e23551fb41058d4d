// The BI reader role: `migrate` grants dicomlake_reader the public views and nothing else, and
// still migrates when its user may not create roles.
#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include <string>
#include <vector>

#include "harness.hpp"

namespace dicomlake::testing {
namespace {

// `url` (postgresql://USER@HOST:PORT/DB, trust authentication in the lab) as another role.
std::string as_role(const std::string& url, const std::string& role) {
    auto at = url.find('@');
    return "postgresql://" + role + url.substr(at);
}

// Runs `sql` as the lab's superuser outside a transaction (roles are per cluster).
void admin(const std::string& sql) {
    pqxx::connection c(Lab::instance().db_url());
    pqxx::nontransaction tx(c);
    tx.exec(sql);
}

TEST(ReaderRole, ReadsTheViewsAndNoTable) {
    Lab& lab = Lab::instance();
    std::string db = lab.fresh_database("reader_role");
    auto first = lab.dicomlake("migrate", {{"DICOMLAKE_DB_URL", db}});
    ASSERT_EQ(first.exit_code, 0) << first.output;
    EXPECT_NE(first.output.find("role dicomlake_reader may read the"), std::string::npos) << first.output;
    auto again = lab.dicomlake("migrate", {{"DICOMLAKE_DB_URL", db}});
    ASSERT_EQ(again.exit_code, 0) << again.output;
    EXPECT_NE(again.output.find("role dicomlake_reader may read the"), std::string::npos) << again.output;

    admin("DROP ROLE IF EXISTS bi_tester");
    admin("CREATE ROLE bi_tester LOGIN IN ROLE dicomlake_reader");
    {
        pqxx::connection c(as_role(db, "bi_tester"));
        pqxx::work tx(c);
        EXPECT_EQ(tx.exec1("SELECT count(*) FROM dicomlake.v_series")[0].as<long>(), 0);
        EXPECT_EQ(tx.exec1("SELECT count(*) FROM dicomlake.v_scanner_week")[0].as<long>(), 0);
        // Every public view is granted; no table, however it is named.
        auto missing = tx.exec("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                               " WHERE n.nspname = 'dicomlake' AND c.relkind = 'v' AND c.relname LIKE 'v\\_%'"
                               " AND NOT has_table_privilege(c.oid, 'SELECT')");
        for (const auto& r : missing) ADD_FAILURE() << "view not readable: " << r[0].as<std::string>();
        auto extra = tx.exec("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                             " WHERE n.nspname = 'dicomlake' AND c.relkind IN ('r', 'p', 'm', 'f')"
                             " AND has_table_privilege(c.oid, 'SELECT')");
        for (const auto& r : extra) ADD_FAILURE() << "table readable: " << r[0].as<std::string>();
        EXPECT_GT(tx.exec1("SELECT count(*) FROM pg_views WHERE schemaname = 'dicomlake'")[0].as<long>(), 10);
    }
    {
        pqxx::connection c(as_role(db, "bi_tester"));
        for (const char* table : {"study_status", "run", "run_failure", "activity_contribution", "activity_cell",
                                  "study", "series", "activity_week", "schema_version"}) {
            pqxx::work tx(c);
            try {
                tx.exec(std::string("SELECT * FROM dicomlake.") + table + " LIMIT 1");
                ADD_FAILURE() << "the reader could read dicomlake." << table;
            } catch (const pqxx::insufficient_privilege& e) {
                EXPECT_NE(std::string(e.what()).find("permission denied"), std::string::npos) << e.what();
            } catch (const pqxx::sql_error& e) {
                ADD_FAILURE() << table << ": not a permission error: " << e.what();
            }
        }
    }
    admin("DROP ROLE bi_tester");
}

TEST(ReaderRole, MigrateWithoutCreateRoleSucceedsAndSaysWhatToRun) {
    Lab& lab = Lab::instance();
    // The role exists for the cluster once any migrate ran: park it under another name (its
    // grants follow it) so that this user's migrate finds it missing.
    ASSERT_EQ(lab.dicomlake("migrate").exit_code, 0);
    std::string db = lab.fresh_database("reader_nocreaterole");
    admin("DROP ROLE IF EXISTS dl_plain_owner");
    admin("CREATE ROLE dl_plain_owner LOGIN NOSUPERUSER NOCREATEROLE");
    admin("ALTER DATABASE reader_nocreaterole OWNER TO dl_plain_owner");
    admin("ALTER ROLE dicomlake_reader RENAME TO dicomlake_reader_parked");
    auto missing = lab.dicomlake("migrate", {{"DICOMLAKE_DB_URL", as_role(db, "dl_plain_owner")}});
    admin("ALTER ROLE dicomlake_reader_parked RENAME TO dicomlake_reader");
    EXPECT_EQ(missing.exit_code, 0) << missing.output;
    EXPECT_NE(missing.output.find("warning: this database user may not create roles"), std::string::npos)
        << missing.output;
    EXPECT_NE(missing.output.find("CREATE ROLE dicomlake_reader NOLOGIN"), std::string::npos) << missing.output;

    // Once a superuser created it, the same user grants it the views it owns.
    auto granted = lab.dicomlake("migrate", {{"DICOMLAKE_DB_URL", as_role(db, "dl_plain_owner")}});
    EXPECT_EQ(granted.exit_code, 0) << granted.output;
    EXPECT_NE(granted.output.find("role dicomlake_reader may read the"), std::string::npos) << granted.output;
    {
        pqxx::connection c(db);
        pqxx::work tx(c);
        EXPECT_TRUE(tx.exec1("SELECT has_table_privilege('dicomlake_reader', 'dicomlake.v_scanner_week', 'SELECT')")[0]
                        .as<bool>());
        EXPECT_FALSE(
            tx.exec1("SELECT has_table_privilege('dicomlake_reader', 'dicomlake.study', 'SELECT')")[0].as<bool>());
    }
    admin("DROP DATABASE reader_nocreaterole");
    admin("DROP ROLE dl_plain_owner");
}

}  // namespace
}  // namespace dicomlake::testing
