// cli/config: typed, validated settings.
#include "cli/config.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <string>

#include "util/error.hpp"
#include "util/redact.hpp"

namespace dicomlake::cli {
namespace {

class ConfigTest : public ::testing::Test {
protected:
    void SetUp() override {
        char path[] = "/tmp/dicomlake-config-XXXXXX";
        int fd = mkstemp(path);
        ASSERT_GE(fd, 0);
        close(fd);
        path_ = path;
    }
    void TearDown() override { std::remove(path_.c_str()); }

    // Settings from flags and environment, with an empty configuration file.
    Settings settings(const std::map<std::string, std::string>& flags,
                      const std::map<std::string, std::string>& env = {}, const std::string& toml = "") {
        std::ofstream(path_) << toml;
        return Settings::resolve(flags, path_, [env](const char* name) -> const char* {
            auto it = env.find(name);
            return it == env.end() ? nullptr : it->second.c_str();
        });
    }
    std::string error_of(const std::map<std::string, std::string>& flags,
                         const std::map<std::string, std::string>& env = {}, const std::string& toml = "") {
        try {
            build_config(settings(flags, env, toml));
        } catch (const ConfigError& e) {
            return e.what();
        }
        return "";
    }
    std::string path_;
};

TEST_F(ConfigTest, DefaultsMatchTheDeclaredDefaults) {
    Config c = build_config(settings({}));
    EXPECT_EQ(c.pacs_concurrency, 4);
    EXPECT_EQ(c.pacs_page_size, 100);
    EXPECT_EQ(c.pacs_timeout_s, 120);
    EXPECT_EQ(c.pacs_connect_timeout_s, 10);
    EXPECT_EQ(c.pacs_retries, 3);
    EXPECT_TRUE(c.pacs_verify_tls);
    EXPECT_EQ(c.batch_studies, 25);
    EXPECT_EQ(c.key_version, 1);
    EXPECT_EQ(c.overlap_days, 1);
    EXPECT_EQ(c.max_attempts, 5);
    EXPECT_EQ(c.log_level, "info");
    EXPECT_EQ(c.pacs_url, "");
    EXPECT_EQ(c.db_url, "");
    EXPECT_EQ(c.key, "");
}

TEST_F(ConfigTest, ValuesAreTyped) {
    Config c = build_config(settings({{"pacs-url", "https://pacs/dicom-web"},
                                      {"pacs-concurrency", "64"},
                                      {"pacs-retries", "0"},
                                      {"pacs-verify-tls", "false"},
                                      {"overlap-days", "0"},
                                      {"log-level", "debug"}},
                                     {{"DICOMLAKE_KEY", std::string(32, 'k')}}));
    EXPECT_EQ(c.pacs_url, "https://pacs/dicom-web");
    EXPECT_EQ(c.pacs_concurrency, 64);
    EXPECT_EQ(c.pacs_retries, 0);
    EXPECT_FALSE(c.pacs_verify_tls);
    EXPECT_EQ(c.overlap_days, 0);
    EXPECT_EQ(c.log_level, "debug");
    EXPECT_EQ(c.key, std::string(32, 'k'));
}

TEST_F(ConfigTest, RangeChecks) {
    std::string e = error_of({{"pacs-concurrency", "0"}});
    EXPECT_NE(e.find("pacs-concurrency"), std::string::npos) << e;
    EXPECT_NE(e.find("--pacs-concurrency"), std::string::npos) << e;
    EXPECT_NE(error_of({{"pacs-concurrency", "65"}}), "");
    EXPECT_NE(error_of({{"pacs-retries", "11"}}), "");
    EXPECT_NE(error_of({{"pacs-page-size", "0"}}), "");
    EXPECT_NE(error_of({{"batch-studies", "1001"}}), "");
    EXPECT_NE(error_of({{"overlap-days", "31"}}), "");
    EXPECT_NE(error_of({{"max-attempts", "0"}}), "");
    EXPECT_NE(error_of({{"key-version", "0"}}), "");
    EXPECT_NE(error_of({}, {{"DICOMLAKE_PACS_TIMEOUT", "3601"}}), "");
    e = error_of({}, {}, "[pacs]\nconnect_timeout = 0\n");
    EXPECT_NE(e.find(path_ + ":2"), std::string::npos) << e;
}

TEST_F(ConfigTest, LogLevelMustBeKnown) {
    std::string e = error_of({{"log-level", "verbose"}});
    EXPECT_NE(e.find("log-level"), std::string::npos) << e;
    EXPECT_NE(e.find("--log-level"), std::string::npos) << e;
    for (const char* level : {"trace", "debug", "info", "warn", "error"})
        EXPECT_EQ(error_of({{"log-level", level}}), "") << level;
}

TEST_F(ConfigTest, ShortKeyIsRefused) {
    std::string e = error_of({}, {{"DICOMLAKE_KEY", std::string(31, 'k')}});
    EXPECT_NE(e.find("32"), std::string::npos) << e;
    EXPECT_NE(e.find("keygen"), std::string::npos) << e;
    EXPECT_NE(e.find("DICOMLAKE_KEY"), std::string::npos) << "names the origin: " << e;
    EXPECT_EQ(e.find(std::string(31, 'k')), std::string::npos) << "the key is echoed: " << e;
    EXPECT_EQ(error_of({}, {{"DICOMLAKE_KEY", std::string(32, 'k')}}), "");
}

TEST_F(ConfigTest, PacsUrlMustBeHttp) {
    for (const char* bad : {"pacs:8042/dicom-web", "ftp://pacs/dicom-web", "HTTP//pacs", "dicom://pacs:104"}) {
        std::string e = error_of({{"pacs-url", bad}});
        EXPECT_NE(e.find("pacs-url"), std::string::npos) << bad << " -> " << e;
    }
    EXPECT_EQ(error_of({{"pacs-url", "http://pacs:8042/dicom-web"}}), "");
    EXPECT_EQ(error_of({{"pacs-url", "https://pacs/dicom-web"}}), "");
    EXPECT_EQ(error_of({{"pacs-url", "dicom://PACS@pacs:104"}}), "");  // DIMSE: dicom://CALLED_AET@host:port
}

TEST_F(ConfigTest, DimseSettings) {
    EXPECT_NE(error_of({{"pacs-url", "dicom://PACS@pacs:104"}, {"pacs-retrieve", "fetch"}}).find("pacs-retrieve"),
              std::string::npos);
    EXPECT_NE(error_of({{"pacs-url", "dicom://PACS@pacs:104"}, {"pacs-retrieve", "move"}}).find("pacs-store-port"),
              std::string::npos);
    EXPECT_EQ(error_of({{"pacs-url", "dicom://PACS@pacs:104"}, {"pacs-retrieve", "move"}, {"pacs-store-port", "11112"}}),
              "");
    EXPECT_NE(error_of({{"pacs-calling-aet", "SEVENTEEN_CHARS_X"}}).find("pacs-calling-aet"), std::string::npos);
    EXPECT_NE(error_of({{"pacs-url", "dicom://user:secret@pacs:104"}}).find("credentials"), std::string::npos);
}

TEST_F(ConfigTest, ValueErrorsNameTheSettingNotTheValue) {
    const std::string weird = "Hx7-planted\x1b[2J";
    for (const char* name : {"log-level", "log-format", "pacs-url", "pacs-concurrency", "pacs-breaker-pause",
                             "pacs-verify-tls", "pacs-allow-insecure-auth"}) {
        std::string e = error_of({{name, weird}});
        EXPECT_NE(e.find(name), std::string::npos) << e;
        EXPECT_NE(e.find(std::string("--") + name), std::string::npos) << "names the origin: " << e;
        EXPECT_EQ(e.find("Hx7-planted"), std::string::npos) << "the value is echoed: " << e;
    }
    // previous-keys is a secret: a malformed line is named by number, never shown.
    std::string e = error_of({}, {{"DICOMLAKE_PREVIOUS_KEYS", "1 Hx7-planted-but-short"}});
    EXPECT_NE(e.find("line 1"), std::string::npos) << e;
    EXPECT_EQ(e.find("Hx7-planted"), std::string::npos) << e;
    e = error_of({}, {{"DICOMLAKE_PREVIOUS_KEYS", "1 Hx7-planted-key-of-at-least-32-chars-long"}});
    EXPECT_NE(e.find("key-version"), std::string::npos) << e;
    EXPECT_EQ(e.find("Hx7-planted"), std::string::npos) << e;
}

TEST_F(ConfigTest, ClientKeyReadableByOthersIsRefused) {
    char key[] = "/tmp/dicomlake-client-key-XXXXXX";
    int fd = mkstemp(key);
    ASSERT_GE(fd, 0);
    close(fd);
    const std::map<std::string, std::string> tls = {{"pacs-client-cert", "/tmp/cert.pem"}, {"pacs-client-key", key}};
    EXPECT_EQ(error_of(tls), "");  // mode 600
    for (mode_t mode : {0640, 0644, 0604}) {
        chmod(key, mode);
        std::string e = error_of(tls);
        EXPECT_NE(e.find(std::string("chmod 600 ") + key), std::string::npos) << std::oct << mode << ": " << e;
        EXPECT_NE(e.find("pacs-client-key"), std::string::npos) << e;
    }
    std::remove(key);
}

TEST_F(ConfigTest, CredentialsOverPlainHttpAreRefusedElsewhereAndWarnedOnLoopback) {
    const std::map<std::string, std::string> basic = {{"DICOMLAKE_PACS_USER", "alice"},
                                                      {"DICOMLAKE_PACS_PASSWORD", "Hx7-planted"}};
    const std::map<std::string, std::string> bearer = {{"DICOMLAKE_PACS_TOKEN", "Hx7-planted-token"}};
    for (const auto* creds : {&basic, &bearer}) {
        std::string e = error_of({{"pacs-url", "http://pacs.hospital.example:8042/dicom-web"}}, *creds);
        EXPECT_NE(e.find("https://"), std::string::npos) << e;
        EXPECT_NE(e.find("pacs-allow-insecure-auth"), std::string::npos) << e;
        EXPECT_EQ(e.find("Hx7-planted"), std::string::npos) << e;

        // Allowed explicitly: accepted, with a warning.
        Config allowed = build_config(settings(
            {{"pacs-url", "http://10.1.2.3/dicom-web"}, {"pacs-allow-insecure-auth", "true"}}, *creds));
        EXPECT_NE(insecure_auth_warning(allowed).find("plain http"), std::string::npos);

        // Loopback: accepted with a warning.
        for (const char* url : {"http://127.0.0.1:8042/dicom-web", "http://localhost/dicom-web",
                                "http://[::1]:8042/dicom-web", "http://127.0.0.2/x"}) {
            std::string err = error_of({{"pacs-url", url}}, *creds);
            EXPECT_EQ(err, "") << url;
            Config c = build_config(settings({{"pacs-url", url}}, *creds));
            EXPECT_NE(insecure_auth_warning(c).find("plain http"), std::string::npos) << url;
        }
        // https, or no credentials: no warning.
        EXPECT_EQ(insecure_auth_warning(build_config(settings({{"pacs-url", "https://pacs/dicom-web"}}, *creds))), "");
    }
    EXPECT_EQ(error_of({{"pacs-url", "http://pacs.hospital.example/dicom-web"}}), "");
    EXPECT_EQ(insecure_auth_warning(build_config(settings({{"pacs-url", "http://pacs.hospital.example/x"}}))), "");
    // A host that merely starts like a loopback name is not one.
    EXPECT_NE(error_of({{"pacs-url", "http://localhost.attacker.example/x"}}, basic), "");
}

TEST_F(ConfigTest, RegisteredSecretsAreMaskedByRedact) {
    Config c = build_config(settings({}, {{"DICOMLAKE_PACS_PASSWORD", "Hx7-planted-pw"},
                                          {"DICOMLAKE_KEY", "Hx7-planted-key-0123456789abcdef0123"}}));
    register_secrets(c);
    std::string text = redact("pw Hx7-planted-pw key Hx7-planted-key-0123456789abcdef0123");
    forget_registered_secrets();
    EXPECT_EQ(text.find("Hx7-planted"), std::string::npos) << text;
}

TEST_F(ConfigTest, RequireChecks) {
    Config c;
    EXPECT_THROW(require_pacs(c), ConfigError);
    EXPECT_THROW(require_database(c), ConfigError);
    try {
        require_key(c);
        ADD_FAILURE() << "no error";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("keygen"), std::string::npos) << e.what();
    }
    c.pacs_url = "http://pacs/dicom-web";
    c.db_url = "postgresql://db/x";
    c.key = std::string(32, 'k');
    EXPECT_NO_THROW(require_pacs(c));
    EXPECT_NO_THROW(require_database(c));
    EXPECT_NO_THROW(require_key(c));
}

TEST_F(ConfigTest, MailSettingsAreTyped) {
    Config c = build_config(settings({{"report-smtp-url", "smtps://mail.hospital.example:465"},
                                      {"report-smtp-user", "dicomlake"},
                                      {"report-smtp-tls", "optional"},
                                      {"report-from", "dicomlake <reports@hospital.example>"},
                                      {"report-to", " chief@hospital.example ,physicist@hospital.example,, "}},
                                     {{"DICOMLAKE_REPORT_SMTP_PASSWORD", "Hx7-smtp-pw"}}));
    EXPECT_EQ(c.report_smtp_url, "smtps://mail.hospital.example:465");
    EXPECT_EQ(c.report_smtp_user, "dicomlake");
    EXPECT_EQ(c.report_smtp_password, "Hx7-smtp-pw");
    EXPECT_FALSE(c.report_smtp_require_tls);
    EXPECT_TRUE(c.report_smtp_verify_tls);
    EXPECT_EQ(c.report_from, "dicomlake <reports@hospital.example>");
    EXPECT_EQ(c.report_to, (std::vector<std::string>{"chief@hospital.example", "physicist@hospital.example"}));
    EXPECT_EQ(c.report_subject, "dicomlake report {date}");
    EXPECT_NO_THROW(require_mail(c));

    Config d = build_config(settings({}, {}, "[report]\nsmtp_url = \"smtp://127.0.0.1:2525\"\nto = \"a@b.example\"\n"));
    EXPECT_TRUE(d.report_smtp_require_tls) << "STARTTLS is required unless switched off";
    EXPECT_EQ(d.report_to, std::vector<std::string>{"a@b.example"});
}

TEST_F(ConfigTest, MailPasswordComesFromAFileNeverAFlag) {
    const std::string refused = error_of({{"report-smtp-password", "Hx7-smtp-pw"}});
    EXPECT_NE(refused.find("report-smtp-password-file"), std::string::npos) << refused;
    EXPECT_EQ(refused.find("Hx7-smtp-pw"), std::string::npos) << refused;

    char path[] = "/tmp/dicomlake-smtp-pw-XXXXXX";
    int fd = mkstemp(path);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(write(fd, "Hx7-smtp-pw\n", 12), 12);
    close(fd);
    EXPECT_EQ(build_config(settings({}, {{"DICOMLAKE_REPORT_SMTP_PASSWORD_FILE", path}})).report_smtp_password,
              "Hx7-smtp-pw");
    EXPECT_EQ(build_config(settings({}, {}, std::string("[report]\nsmtp_password_file = \"") + path + "\"\n"))
                  .report_smtp_password,
              "Hx7-smtp-pw");
    EXPECT_EQ(build_config(settings({{"report-smtp-password-file", path}})).report_smtp_password, "Hx7-smtp-pw");
    std::remove(path);

    Config c = build_config(settings({}, {{"DICOMLAKE_REPORT_SMTP_PASSWORD", "Hx7-smtp-pw"}}));
    register_secrets(c);
    const std::string text = redact("535 auth failed for Hx7-smtp-pw");
    forget_registered_secrets();
    EXPECT_EQ(text.find("Hx7-smtp-pw"), std::string::npos) << text;
}

TEST_F(ConfigTest, MailUrlWithCredentialsOrAnotherSchemeIsRefused) {
    for (const char* url : {"smtp://alice:Hx7-planted@mail:587", "smtps://Hx7-planted@mail"}) {
        const std::string e = error_of({}, {{"DICOMLAKE_REPORT_SMTP_URL", url}});
        EXPECT_NE(e.find("report.smtp_user"), std::string::npos) << "says where the user goes: " << e;
        EXPECT_NE(e.find("DICOMLAKE_REPORT_SMTP_PASSWORD_FILE"), std::string::npos) << e;
        EXPECT_EQ(e.find("pacs"), std::string::npos) << "points at the mail settings, not the PACS: " << e;
        EXPECT_EQ(e.find("Hx7-planted"), std::string::npos) << "the credentials are echoed: " << e;
    }
    for (const char* url : {"http://mail:25", "mail.hospital.example:587", "SMTP://mail"}) {
        const std::string e = error_of({{"report-smtp-url", url}});
        EXPECT_NE(e.find("report-smtp-url must start with smtp:// or smtps://"), std::string::npos) << url << ": " << e;
    }
    EXPECT_NE(error_of({{"report-smtp-tls", "sometimes"}}).find("report-smtp-tls must be required or optional"),
              std::string::npos);
}

TEST_F(ConfigTest, MailAddressesAreChecked) {
    for (const char* bad : {"chief", "chief@", "@hospital.example", "a@b@c.example",
                            "Chief <chief@hospital.example", "chief hospital@x.example", "a@b.example; c@d.example"}) {
        const std::string from = error_of({{"report-from", bad}});
        EXPECT_NE(from.find("report-from"), std::string::npos) << bad << ": " << from;
        EXPECT_EQ(from.find(bad), std::string::npos) << "the value is echoed: " << from;
    }
    const std::string to = error_of({{"report-to", "a@hospital.example, b@hospital.example, chief"}});
    EXPECT_NE(to.find("report-to"), std::string::npos) << to;
    EXPECT_NE(to.find("entry 3"), std::string::npos) << "names the entry by position: " << to;
    EXPECT_NE(error_of({}, {{"DICOMLAKE_REPORT_SUBJECT", "Report\r\nBcc: x@y.example"}}).find("one line"),
              std::string::npos);
}

TEST_F(ConfigTest, RequireMailNamesTheMissingSetting) {
    auto missing = [](const Config& c) {
        try {
            require_mail(c);
        } catch (const ConfigError& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    Config c;
    EXPECT_NE(missing(c).find("report-smtp-url"), std::string::npos) << missing(c);
    c.report_smtp_url = "smtp://mail:587";
    EXPECT_NE(missing(c).find("report-from"), std::string::npos) << missing(c);
    c.report_from = "r@hospital.example";
    EXPECT_NE(missing(c).find("report-to"), std::string::npos) << missing(c);
    c.report_to = {"chief@hospital.example"};
    EXPECT_EQ(missing(c), "");
}

}  // namespace
}  // namespace dicomlake::cli
