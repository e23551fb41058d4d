// cli/config: typed, validated settings.
#include "cli/config.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <string>

#include "util/error.hpp"

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
        Settings s = settings(flags, env, toml);
        try {
            build_config(s);
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

}  // namespace
}  // namespace dicomlake::cli
