// Secrets through the real binary: credentials in URLs, secret files' modes, configuration
// errors, libpq texts and plain http. Every check plants a recognisable secret and asserts
// that it appears nowhere in what dicomlake prints (stdout, stderr and logs together).
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <fstream>

#include "harness.hpp"

namespace dicomlake::testing {
namespace {

constexpr const char* kPlanted = "Hx7-planted-secret";

// The lab's PACS URL with `userinfo@` put before the host.
std::string with_userinfo(const std::string& url, const std::string& userinfo) {
    auto at = url.find("://") + 3;
    return url.substr(0, at) + userinfo + "@" + url.substr(at);
}

std::string private_file(const std::string& path, const std::string& content, mode_t mode) {
    std::ofstream(path) << content;
    chmod(path.c_str(), mode);
    return path;
}

#define EXPECT_NOT_PRINTED(result, text) \
    EXPECT_EQ((result).output.find(text), std::string::npos) << "printed a secret: " << (result).output

TEST(Secrets, CredentialsInThePacsUrlAreRefusedFromEveryOrigin) {
    Lab& lab = Lab::instance();
    const std::string url = with_userinfo(lab.pacs_url(), std::string("planted-user:") + kPlanted);
    const std::string config = private_file(lab.dir() + "/secrets-url.toml", "[pacs]\nurl = \"" + url + "\"\n", 0600);
    for (const auto& r : {lab.dicomlake("check", {{"DICOMLAKE_PACS_URL", url}}),
                          lab.dicomlake("check --pacs-url " + shell_quote(url)),
                          lab.dicomlake("check --config " + shell_quote(config), {{"DICOMLAKE_PACS_URL", ""}})}) {
        EXPECT_EQ(r.exit_code, 2) << r.output;
        EXPECT_NE(r.output.find("pacs.password_file"), std::string::npos) << r.output;
        EXPECT_NOT_PRINTED(r, kPlanted);
        EXPECT_NOT_PRINTED(r, "planted-user");
    }
    // Where CLI11 quotes an argument it did not expect.
    auto stray = lab.dicomlake("check " + shell_quote(url));
    EXPECT_EQ(stray.exit_code, 2) << stray.output;
    EXPECT_NOT_PRINTED(stray, kPlanted);
}

TEST(Secrets, PasswordInTheDatabaseUrlIsRefused) {
    Lab& lab = Lab::instance();
    // The lab's PostgreSQL trusts local users: today such a URL connects, and the password has
    // been in the environment, `ps` and every libpq error all along.
    const std::string& db = lab.db_url();  // postgresql://USER@127.0.0.1:PORT/DB
    const std::string url = db.substr(0, db.find('@')) + ":" + kPlanted + db.substr(db.find('@'));
    auto r = lab.dicomlake("check", {{"DICOMLAKE_DB_URL", url}});
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find("PGPASSFILE"), std::string::npos) << r.output;
    EXPECT_NOT_PRINTED(r, kPlanted);
}

TEST(Secrets, LibpqErrorsNeverShowAKnownSecret) {
    Lab& lab = Lab::instance();
    // PostgreSQL quotes the database name in its error; here it is the PACS password, which
    // dicomlake knows is a secret and must mask wherever it appears.
    const std::string password = lab.orthanc_password();
    ASSERT_GE(password.size(), 16u);
    const std::string url = lab.db_url().substr(0, lab.db_url().rfind('/') + 1) + password;
    for (const char* command : {"check", "migrate"}) {
        auto r = lab.dicomlake(command, {{"DICOMLAKE_DB_URL", url}});
        EXPECT_NE(r.exit_code, 0) << r.output;
        EXPECT_NE(r.output.find("does not exist"), std::string::npos) << "libpq's reason is kept: " << r.output;
        EXPECT_NOT_PRINTED(r, password);
    }
}

TEST(Secrets, SecretFilesReadableByTheGroupAreRefused) {
    Lab& lab = Lab::instance();
    const std::string key = private_file(lab.dir() + "/group-key", lab.key() + "\n", 0640);
    auto r = lab.dicomlake("check", {{"DICOMLAKE_KEY_FILE", key}});
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find("chmod 600 " + key), std::string::npos) << r.output;
    EXPECT_NOT_PRINTED(r, lab.key());

    const std::string pw = private_file(lab.dir() + "/group-password", lab.orthanc_password(), 0660);
    auto p = lab.dicomlake("check", {{"DICOMLAKE_PACS_PASSWORD_FILE", pw}});
    EXPECT_EQ(p.exit_code, 2) << p.output;
    EXPECT_NE(p.output.find("chmod 600 " + pw), std::string::npos) << p.output;
    EXPECT_NOT_PRINTED(p, lab.orthanc_password());
}

TEST(Secrets, ConfigurationErrorsDoNotEchoValues) {
    Lab& lab = Lab::instance();
    auto number = lab.dicomlake("check", {{"DICOMLAKE_PACS_CONCURRENCY", kPlanted}});
    EXPECT_EQ(number.exit_code, 2) << number.output;
    EXPECT_NE(number.output.find("DICOMLAKE_PACS_CONCURRENCY"), std::string::npos) << number.output;
    EXPECT_NOT_PRINTED(number, kPlanted);

    const std::string config =
        private_file(lab.dir() + "/secrets-unquoted.toml", std::string("[pacs]\npassword = ") + kPlanted + "\n", 0600);
    auto unquoted = lab.dicomlake("check --config " + shell_quote(config));
    EXPECT_EQ(unquoted.exit_code, 2) << unquoted.output;
    EXPECT_NE(unquoted.output.find(config + ":2"), std::string::npos) << unquoted.output;
    EXPECT_NOT_PRINTED(unquoted, kPlanted);
}

TEST(Secrets, CredentialsOverPlainHttp) {
    Lab& lab = Lab::instance();
    // The lab: basic authentication over http to 127.0.0.1. Works, with a warning.
    auto loopback = lab.dicomlake("check");
    EXPECT_EQ(loopback.exit_code, 0) << loopback.output;
    EXPECT_NE(loopback.output.find("plain http://"), std::string::npos) << loopback.output;
    EXPECT_NOT_PRINTED(loopback, lab.orthanc_password());
    EXPECT_NOT_PRINTED(loopback, lab.key());
    // A command that never reaches the PACS does not warn about how it would be reached.
    auto status = lab.dicomlake("status");
    EXPECT_EQ(status.output.find("plain http://"), std::string::npos) << status.output;

    // Another machine: refused before anything is sent, unless explicitly allowed.
    const std::map<std::string, std::string> remote = {{"DICOMLAKE_PACS_URL", "http://pacs.invalid/dicom-web"}};
    auto refused = lab.dicomlake("check", remote);
    EXPECT_EQ(refused.exit_code, 2) << refused.output;
    EXPECT_NE(refused.output.find("pacs-allow-insecure-auth"), std::string::npos) << refused.output;
    auto allowed = lab.dicomlake("check --pacs-allow-insecure-auth true --pacs-retries 0", remote);
    EXPECT_NE(allowed.exit_code, 2) << allowed.output;
    EXPECT_NE(allowed.output.find("plain http://"), std::string::npos) << allowed.output;
    EXPECT_NOT_PRINTED(allowed, lab.orthanc_password());
}

TEST(Secrets, TraceLogsOfARunShowNoSecret) {
    Lab& lab = Lab::instance();
    std::string db = lab.fresh_database("secrets_logs");
    ASSERT_EQ(lab.dicomlake("migrate", {{"DICOMLAKE_DB_URL", db}}).exit_code, 0);
    auto r = lab.dicomlake("backfill --dry-run --from 2025-01-06 --to 2025-01-06 --log-level trace",
                           {{"DICOMLAKE_DB_URL", db}});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NOT_PRINTED(r, lab.orthanc_password());
    EXPECT_NOT_PRINTED(r, lab.key());
    EXPECT_NOT_PRINTED(r, "Authorization:");
}

}  // namespace
}  // namespace dicomlake::testing
