// util/redact: credentials in text from libpq, libcurl and URLs are masked before we show it.
// Every expectation is written out by hand from the formats (RFC 3986 userinfo, libpq
// keyword strings, HTTP Authorization), never computed with the function under test.
#include "util/redact.hpp"

#include <gtest/gtest.h>

#include <string>

namespace dicomlake {
namespace {

class Redact : public ::testing::Test {
protected:
    void TearDown() override { forget_registered_secrets(); }
};

TEST_F(Redact, UrlPasswordIsMaskedUserKept) {
    EXPECT_EQ(redact("postgresql://dicomlake:hunter2@db:5432/dicomlake"), "postgresql://dicomlake:***@db:5432/dicomlake");
    EXPECT_EQ(redact("https://alice:s3cr@t@pacs/dicom-web"), "https://alice:***@pacs/dicom-web");
    EXPECT_EQ(redact("https://pacs.example/dicom-web"), "https://pacs.example/dicom-web");
    EXPECT_EQ(redact("postgresql://dicomlake@db/dicomlake"), "postgresql://dicomlake@db/dicomlake");
}

TEST_F(Redact, UrlInsideALibraryMessage) {
    // libpq's text for a URI it could not parse quotes the whole of it.
    EXPECT_EQ(redact(R"(missing "=" after "postgresq://u:hunter2@h/db" in connection info string)"),
              R"(missing "=" after "postgresq://u:***@h/db" in connection info string)");
    EXPECT_EQ(redact("two: http://a:one@x and http://b:two@y/p"), "two: http://a:***@x and http://b:***@y/p");
    // An '@' in a path or query is not userinfo.
    EXPECT_EQ(redact("http://pacs/studies?x=a:b@c"), "http://pacs/studies?x=a:b@c");
}

TEST_F(Redact, PasswordParameters) {
    EXPECT_EQ(redact("host=db password=hunter2 dbname=x"), "host=db password=*** dbname=x");
    EXPECT_EQ(redact("host=db password = 'with space\\' quote' dbname=x"), "host=db password = *** dbname=x");
    EXPECT_EQ(redact("postgresql://db/x?sslmode=require&password=hunter2&user=u"),
              "postgresql://db/x?sslmode=require&password=***&user=u");
    EXPECT_EQ(redact("PASSWORD=hunter2"), "PASSWORD=***");
    EXPECT_EQ(redact("check the password (DICOMLAKE_PACS_PASSWORD_FILE)"),
              "check the password (DICOMLAKE_PACS_PASSWORD_FILE)");
}

TEST_F(Redact, AuthorizationAndBearer) {
    EXPECT_EQ(redact("Authorization: Basic ZGljb21sYWtlOmh1bnRlcjI=\r\nAccept: x"), "Authorization: ***\r\nAccept: x");
    EXPECT_EQ(redact("sent Bearer eyJhbGciOi.abc.def to the PACS"), "sent Bearer *** to the PACS");
    EXPECT_EQ(redact("or use a bearer token file"), "or use a bearer token file");  // prose stays
    EXPECT_EQ(redact("authorization:Bearer tok"), "authorization:***");
}

TEST_F(Redact, RegisteredSecretsAreMaskedWherever) {
    register_secret("Zq9-planted-secret");
    register_secret("ab");  // too short to mask: would mangle every message
    EXPECT_EQ(redact("database \"Zq9-planted-secret\" does not exist (ab)"), "database \"***\" does not exist (ab)");
    EXPECT_EQ(redact("x Zq9-planted-secretZq9-planted-secret y"), "x ****** y");
    forget_registered_secrets();
    EXPECT_EQ(redact("Zq9-planted-secret"), "Zq9-planted-secret");
}

TEST_F(Redact, UrlChecks) {
    EXPECT_TRUE(url_has_userinfo("https://alice@pacs/x"));
    EXPECT_TRUE(url_has_userinfo("https://alice:pw@pacs/x"));
    EXPECT_FALSE(url_has_userinfo("https://pacs/x?a=b@c"));
    EXPECT_FALSE(url_has_userinfo("not a url"));
    EXPECT_TRUE(url_has_password("postgresql://u:pw@db/x"));
    EXPECT_TRUE(url_has_password("postgresql://u:pa ss@db/x"));
    EXPECT_TRUE(url_has_password("postgresql://db/x?password=pw"));
    EXPECT_FALSE(url_has_password("postgresql://u@db/x"));
    EXPECT_FALSE(url_has_password("postgresql://db/x?sslmode=require"));
}

}  // namespace
}  // namespace dicomlake
