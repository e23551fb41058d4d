// warehouse/database: libpq's error texts are masked before they become our messages.
#include "warehouse/database.hpp"

#include <gtest/gtest.h>

#include <string>

#include "util/error.hpp"

namespace dicomlake::warehouse {
namespace {

std::string connect_error(const std::string& url) {
    try {
        Database db(url);
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

TEST(DatabaseErrors, LibpqQuotingTheConnectionStringIsMasked) {
    // libpq reads a string with an unknown scheme as keyword=value pairs and quotes all of it in
    // its error: no connection is attempted, so no server is needed.
    for (const char* url : {"postgresq://dicomlake:Hx7-planted@127.0.0.1:1/dicomlake",
                            "host=127.0.0.1 port=1 password=Hx7-planted sslmode=bogus"}) {
        std::string e = connect_error(url);
        EXPECT_NE(e, "") << url;
        EXPECT_EQ(e.find("Hx7-planted"), std::string::npos) << "libpq's text was printed as is: " << e;
    }
}

}  // namespace
}  // namespace dicomlake::warehouse
