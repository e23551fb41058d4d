// The libpqxx adapter: one connection, with libpqxx exceptions turned into dicomlake errors.
#pragma once

#include <pqxx/pqxx>

#include <functional>
#include <memory>
#include <string>

namespace dicomlake::warehouse {

class Database {
public:
    // Connects; throws DatabaseError (exit code 5) with advice when the server is unreachable.
    explicit Database(const std::string& url);

    pqxx::connection& connection() { return *conn_; }

    // Runs `work` in a transaction, translating a lost connection into DatabaseError.
    template <typename F>
    auto with_transaction(F&& work) -> decltype(work(std::declval<pqxx::work&>()));

    // The schema version recorded by `migrate`, 0 when the warehouse was never migrated.
    int schema_version();

    // Throws ConfigError telling the user to run `dicomlake migrate` when the schema is older
    // than this binary's migrations.
    void require_current_schema();

private:
    std::unique_ptr<pqxx::connection> conn_;
};

// Text of a database error safe to record: values quoted by PostgreSQL are elided, because they
// may come from the metadata, and credentials are masked (util/redact).
std::string safe_db_message(const std::exception& e);

[[noreturn]] void rethrow_as_database_error(const std::exception& e, const std::string& doing);

template <typename F>
auto Database::with_transaction(F&& work) -> decltype(work(std::declval<pqxx::work&>())) {
    try {
        pqxx::work tx(*conn_);
        if constexpr (std::is_void_v<decltype(work(tx))>) {
            work(tx);
            tx.commit();
        } else {
            auto result = work(tx);
            tx.commit();
            return result;
        }
    } catch (const pqxx::broken_connection& e) {
        rethrow_as_database_error(e, "talking to the warehouse");
    }
}

}  // namespace dicomlake::warehouse
