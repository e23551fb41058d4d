// cli/options: one declaration per setting; precedence flag > environment > file > default;
// secrets never on the command line.
#include "cli/options.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cli/config_file.hpp"
#include "util/error.hpp"

namespace dicomlake::cli {
namespace {

using Env = std::map<std::string, std::string>;
using Flags = std::map<std::string, std::string>;

Getenv fake_env(const Env& env) {
    return [env](const char* name) -> const char* {
        auto it = env.find(name);
        return it == env.end() ? nullptr : it->second.c_str();
    };
}

class Options : public ::testing::Test {
protected:
    void TearDown() override {
        for (const auto& f : files_) std::remove(f.c_str());
    }
    std::string temp_file(const std::string& content) {
        char path[] = "/tmp/dicomlake-options-XXXXXX";
        int fd = mkstemp(path);
        EXPECT_GE(fd, 0);
        close(fd);
        std::ofstream(path, std::ios::binary) << content;
        files_.push_back(path);
        return path;
    }
    // Resolves with a configuration file holding `toml` (always a file: never /etc/dicomlake).
    Settings resolve(const Flags& flags, const Env& env, const std::string& toml = "") {
        config_ = temp_file(toml);
        return Settings::resolve(flags, config_, fake_env(env));
    }
    std::string error_of(const Flags& flags, const Env& env, const std::string& toml = "") {
        try {
            resolve(flags, env, toml);
        } catch (const ConfigError& e) {
            return e.what();
        }
        return "";
    }
    std::vector<std::string> files_;
    std::string config_;
};

TEST_F(Options, NamesDerivedFromTheDeclaration) {
    const OptionSpec* pw = find_option("pacs-password");
    ASSERT_NE(pw, nullptr);
    EXPECT_EQ(env_name(*pw), "DICOMLAKE_PACS_PASSWORD");
    EXPECT_EQ(env_file_name(*pw), "DICOMLAKE_PACS_PASSWORD_FILE");
    EXPECT_EQ(flag_file_name(*pw), "pacs-password-file");
    EXPECT_EQ(file_key_file(*pw), "pacs.password_file");
    EXPECT_EQ(find_option("no-such-option"), nullptr);
    ASSERT_NE(find_option("db-url"), nullptr);
    EXPECT_EQ(env_name(*find_option("db-url")), "DICOMLAKE_DB_URL");
    std::set<std::string> names, envs, keys;
    for (const auto& o : option_specs()) {
        EXPECT_TRUE(names.insert(o.name).second) << o.name;
        EXPECT_TRUE(envs.insert(env_name(o)).second) << o.name;
        EXPECT_TRUE(keys.insert(o.file_key).second) << o.name;
        EXPECT_NE(std::string(o.file_key).find('.'), std::string::npos) << o.name;
    }
}

TEST_F(Options, PrecedenceFlagOverEnvironmentOverFileOverDefault) {
    const std::string toml = "[pacs]\n# comment\nurl = \"http://file:8042/dicom-web\"\n";
    const Env env = {{"DICOMLAKE_PACS_URL", "http://env:8042/dicom-web"}};
    const Flags flags = {{"pacs-url", "http://flag:8042/dicom-web"}};

    Settings all = resolve(flags, env, toml);
    EXPECT_EQ(all.str("pacs-url"), "http://flag:8042/dicom-web");
    EXPECT_EQ(all.get("pacs-url").origin, Origin::flag);
    EXPECT_EQ(all.get("pacs-url").where, "--pacs-url");

    Settings env_file = resolve({}, env, toml);
    EXPECT_EQ(env_file.str("pacs-url"), "http://env:8042/dicom-web");
    EXPECT_EQ(env_file.get("pacs-url").origin, Origin::environment);
    EXPECT_EQ(env_file.get("pacs-url").where, "DICOMLAKE_PACS_URL");

    Settings file_only = resolve({}, {}, toml);
    EXPECT_EQ(file_only.str("pacs-url"), "http://file:8042/dicom-web");
    EXPECT_EQ(file_only.get("pacs-url").origin, Origin::file);
    EXPECT_EQ(file_only.get("pacs-url").where, config_ + ":3");
    EXPECT_EQ(file_only.config_file(), config_);

    Settings none = resolve({}, {});
    EXPECT_EQ(none.str("pacs-url"), "");
    EXPECT_EQ(none.get("pacs-url").origin, Origin::unset);  // no default
    EXPECT_EQ(none.str("pacs-concurrency"), "4");
    EXPECT_EQ(none.get("pacs-concurrency").origin, Origin::default_value);
    EXPECT_EQ(none.get("pacs-concurrency").where, "default");
    EXPECT_STREQ(to_string(Origin::default_value), "default");
    EXPECT_STREQ(to_string(Origin::environment), "environment");
}

TEST_F(Options, EmptyEnvironmentVariableCountsAsUnset) {
    Settings s = resolve({}, {{"DICOMLAKE_PACS_URL", ""}}, "[pacs]\nurl = \"http://file\"\n");
    EXPECT_EQ(s.str("pacs-url"), "http://file");
    EXPECT_EQ(s.get("pacs-url").origin, Origin::file);
}

TEST_F(Options, EveryOptionResolvesFromEachSource) {
    // Non-secret options accept each of the three sources with the right `where`.
    for (const auto& o : option_specs()) {
        if (o.sensitivity == Sensitivity::secret) continue;
        const std::string key = o.file_key;
        const std::string section = key.substr(0, key.find('.'));
        const std::string name = key.substr(key.find('.') + 1);
        Settings f = resolve({}, {}, "[" + section + "]\n" + name + " = \"v-file\"\n");
        EXPECT_EQ(f.str(o.name), "v-file") << o.name;
        EXPECT_EQ(f.get(o.name).where, config_ + ":2") << o.name;
        Settings e = resolve({}, {{env_name(o), "v-env"}});
        EXPECT_EQ(e.str(o.name), "v-env") << o.name;
        EXPECT_EQ(e.get(o.name).where, env_name(o)) << o.name;
        Settings fl = resolve({{o.name, "v-flag"}}, {{env_name(o), "v-env"}});
        EXPECT_EQ(fl.str(o.name), "v-flag") << o.name;
        EXPECT_EQ(fl.get(o.name).where, "--" + std::string(o.name)) << o.name;
    }
}

TEST_F(Options, UnknownFileKeyIsRejectedWithLineNumber) {
    std::string e = error_of({}, {}, "[pacs]\nurl = \"http://x\"\nconcurency = 4\n");
    EXPECT_NE(e.find(config_ + ":3"), std::string::npos) << e;
    EXPECT_NE(e.find("pacs.concurency"), std::string::npos) << e;
    EXPECT_NE(e.find("pacs.concurrency"), std::string::npos) << "hint lists the section's keys: " << e;
    e = error_of({}, {}, "\n[pcas]\nurl = \"http://x\"\n");
    EXPECT_NE(e.find(config_ + ":3"), std::string::npos) << e;
    e = error_of({}, {}, "url = \"http://x\"\n");  // outside any section
    EXPECT_NE(e.find(config_ + ":1"), std::string::npos) << e;
    // The _file companion exists only for secrets.
    e = error_of({}, {}, "[pacs]\nurl_file = \"/tmp/x\"\n");
    EXPECT_NE(e.find(config_ + ":2"), std::string::npos) << e;
}

TEST_F(Options, MissingConfigurationFileIsAnError) {
    EXPECT_THROW(Settings::resolve({}, "/nonexistent/dicomlake.toml", fake_env({})), ConfigError);
}

TEST_F(Options, SecretsAreRefusedAsFlagsWithAdvice) {
    std::string e = error_of({{"pacs-password", "hunter2"}}, {});
    EXPECT_NE(e.find("DICOMLAKE_PACS_PASSWORD_FILE"), std::string::npos) << e;
    EXPECT_NE(e.find("--pacs-password-file"), std::string::npos) << e;
    EXPECT_EQ(e.find("hunter2"), std::string::npos) << "the secret is echoed: " << e;

    e = error_of({{"key", "0123456789abcdef0123456789abcdef"}}, {});
    EXPECT_NE(e.find("DICOMLAKE_KEY_FILE"), std::string::npos) << e;
    EXPECT_EQ(e.find("0123456789abcdef"), std::string::npos) << "the secret is echoed: " << e;
    // Refused even when the environment also has it.
    EXPECT_NE(error_of({{"pacs-password", "x"}}, {{"DICOMLAKE_PACS_PASSWORD", "y"}}), "");
}

TEST_F(Options, SecretsAreAcceptedFromEnvironmentAndFile) {
    Settings env = resolve({}, {{"DICOMLAKE_PACS_PASSWORD", "hunter2"}});
    EXPECT_EQ(env.str("pacs-password"), "hunter2");
    EXPECT_EQ(env.get("pacs-password").where, "DICOMLAKE_PACS_PASSWORD");
    Settings file = resolve({}, {}, "[pacs]\npassword = \"hunter2\"\n");
    EXPECT_EQ(file.str("pacs-password"), "hunter2");
    EXPECT_EQ(file.get("pacs-password").origin, Origin::file);
}

TEST_F(Options, DatabaseUrlWithPasswordRefusedFromEverywhere) {
    for (const char* url : {"postgresql://dicomlake:Hx7-planted@db/dicomlake",
                            "postgresql://db/dicomlake?password=Hx7-planted",
                            "postgres://u:Hx7-planted@db:5432/x?sslmode=require"}) {
        const std::string flag = error_of({{"db-url", url}}, {});
        const std::string env = error_of({}, {{"DICOMLAKE_DB_URL", url}});
        const std::string file = error_of({}, {}, std::string("[database]\nurl = \"") + url + "\"\n");
        for (const std::string& e : {flag, env, file}) {
            EXPECT_NE(e.find("db-url"), std::string::npos) << url << " -> " << e;
            EXPECT_NE(e.find("PGPASSFILE"), std::string::npos) << "says where the password goes: " << e;
            EXPECT_EQ(e.find("Hx7-planted"), std::string::npos) << "the password is echoed: " << e;
            EXPECT_EQ(e.find(url), std::string::npos) << "the URL is echoed: " << e;
        }
        EXPECT_NE(flag.find("--db-url"), std::string::npos) << flag;
        EXPECT_NE(env.find("DICOMLAKE_DB_URL"), std::string::npos) << env;
        EXPECT_NE(file.find(config_ + ":2"), std::string::npos) << file;
    }
    // No password: fine from anywhere, including a user name and a '@' in the path or query.
    for (const char* url : {"postgresql://dicomlake@db/dicomlake", "postgresql://db/dicomlake",
                            "postgresql://db:5432/dicomlake?application_name=a:b@c"}) {
        Settings s = resolve({{"db-url", url}}, {});
        EXPECT_EQ(s.str("db-url"), url);
        EXPECT_EQ(s.get("db-url").origin, Origin::flag);
        EXPECT_EQ(resolve({}, {{"DICOMLAKE_DB_URL", url}}).str("db-url"), url);
    }
}

TEST_F(Options, PacsUrlWithCredentialsRefusedFromEverywhere) {
    for (const char* url : {"https://alice:Hx7-planted@pacs/dicom-web", "http://Hx7-planted@pacs:8042/dicom-web",
                            "https://alice:Hx7-planted@[::1]:8443/dicom-web"}) {
        const std::string flag = error_of({{"pacs-url", url}}, {});
        const std::string env = error_of({}, {{"DICOMLAKE_PACS_URL", url}});
        const std::string file = error_of({}, {}, std::string("[pacs]\nurl = \"") + url + "\"\n");
        for (const std::string& e : {flag, env, file}) {
            EXPECT_NE(e.find("pacs.user"), std::string::npos) << "says where the user goes: " << e;
            EXPECT_NE(e.find("pacs.password_file"), std::string::npos) << "says where the password goes: " << e;
            EXPECT_EQ(e.find("Hx7-planted"), std::string::npos) << "the credentials are echoed: " << e;
            EXPECT_EQ(e.find("alice"), std::string::npos) << "the user is echoed: " << e;
        }
        EXPECT_NE(flag.find("--pacs-url"), std::string::npos) << flag;
        EXPECT_NE(env.find("DICOMLAKE_PACS_URL"), std::string::npos) << env;
        EXPECT_NE(file.find(config_ + ":2"), std::string::npos) << file;
    }
    // An '@' after the host is not userinfo.
    EXPECT_EQ(resolve({{"pacs-url", "https://pacs/dicom-web?x=a@b"}}, {}).str("pacs-url"),
              "https://pacs/dicom-web?x=a@b");
}

TEST_F(Options, PasswordFileFromFlagStripsTrailingNewline) {
    const std::string pw = temp_file("s3cret pass\n");
    Settings s = resolve({{"pacs-password-file", pw}}, {});
    EXPECT_EQ(s.str("pacs-password"), "s3cret pass");
    EXPECT_EQ(s.get("pacs-password").origin, Origin::flag);
    EXPECT_EQ(s.get("pacs-password").where, "--pacs-password-file");

    const std::string crlf = temp_file("s3cret\r\n");
    EXPECT_EQ(resolve({{"pacs-password-file", crlf}}, {}).str("pacs-password"), "s3cret");
    const std::string bare = temp_file("no-newline");
    EXPECT_EQ(resolve({{"pacs-password-file", bare}}, {}).str("pacs-password"), "no-newline");
}

TEST_F(Options, PasswordFileFromEnvironmentStripsTrailingNewline) {
    const std::string pw = temp_file("s3cret\n");
    Settings s = resolve({}, {{"DICOMLAKE_PACS_PASSWORD_FILE", pw}});
    EXPECT_EQ(s.str("pacs-password"), "s3cret");
    EXPECT_EQ(s.get("pacs-password").origin, Origin::environment);
    EXPECT_EQ(s.get("pacs-password").where, "DICOMLAKE_PACS_PASSWORD_FILE");

    const std::string key = temp_file(std::string(64, 'k') + "\n");
    Settings k = resolve({}, {{"DICOMLAKE_KEY_FILE", key}});
    EXPECT_EQ(k.str("key"), std::string(64, 'k'));
}

TEST_F(Options, PasswordFileFromConfigurationFile) {
    const std::string pw = temp_file("from-file\n");
    Settings s = resolve({}, {}, "[pacs]\npassword_file = \"" + pw + "\"\n");
    EXPECT_EQ(s.str("pacs-password"), "from-file");
    EXPECT_EQ(s.get("pacs-password").origin, Origin::file);
    EXPECT_EQ(s.get("pacs-password").where, config_ + ":2");

    std::string e = error_of({}, {}, "[pacs]\npassword = \"a\"\npassword_file = \"" + pw + "\"\n");
    EXPECT_NE(e.find("password_file"), std::string::npos) << e;
}

TEST_F(Options, MissingSecretFileIsAnError) {
    std::string e = error_of({{"pacs-password-file", "/nonexistent/pw"}}, {});
    EXPECT_NE(e.find("/nonexistent/pw"), std::string::npos) << e;
    EXPECT_NE(error_of({}, {{"DICOMLAKE_KEY_FILE", "/nonexistent/key"}}), "");
}

TEST_F(Options, SecretFileReadableByGroupOrOthersIsRefused) {
    const std::string pw = temp_file("Hx7-planted\n");
    for (mode_t mode : {0644, 0640, 0604, 0660, 0620, 0602}) {
        chmod(pw.c_str(), mode);
        for (const std::string& e : {error_of({}, {{"DICOMLAKE_PACS_PASSWORD_FILE", pw}}),
                                     error_of({{"pacs-token-file", pw}}, {}),
                                     error_of({}, {}, "[anonymization]\nkey_file = \"" + pw + "\"\n")}) {
            EXPECT_NE(e.find(pw), std::string::npos) << "names the file, mode " << std::oct << mode << ": " << e;
            EXPECT_NE(e.find("chmod 600 " + pw), std::string::npos) << e;
            EXPECT_EQ(e.find("Hx7-planted"), std::string::npos) << "the secret must not be echoed: " << e;
        }
    }
    for (mode_t mode : {0600, 0400}) {
        chmod(pw.c_str(), mode);
        EXPECT_EQ(resolve({}, {{"DICOMLAKE_PACS_PASSWORD_FILE", pw}}).str("pacs-password"), "Hx7-planted") << mode;
    }
}

TEST_F(Options, SecretInsideAConfigurationFileReadableByOthersIsRefused) {
    const std::string toml = "[pacs]\npassword = \"Hx7-planted\"\n";
    EXPECT_EQ(resolve({}, {}, toml).str("pacs-password"), "Hx7-planted");  // mode 600 (mkstemp)
    chmod(config_.c_str(), 0644);
    std::string e;
    try {
        Settings::resolve({}, config_, fake_env({}));
    } catch (const ConfigError& err) {
        e = err.what();
    }
    EXPECT_NE(e.find("chmod 600 " + config_), std::string::npos) << e;
    EXPECT_NE(e.find("pacs.password_file"), std::string::npos) << "suggests a separate file: " << e;
    EXPECT_EQ(e.find("Hx7-planted"), std::string::npos) << e;
    // A readable configuration file without secrets is fine (the usual /etc/dicomlake, mode 644).
    EXPECT_EQ(resolve({}, {}, "[pacs]\nconcurrency = 2\n").str("pacs-concurrency"), "2");
    chmod(config_.c_str(), 0644);
    EXPECT_EQ(Settings::resolve({}, config_, fake_env({})).str("pacs-concurrency"), "2");
}

TEST_F(Options, TypedValueErrorsDoNotEchoTheValue) {
    const std::string weird = "Hx7-planted;$(id)";
    Settings s = resolve({{"pacs-concurrency", weird}, {"pacs-max-rps", weird}, {"pacs-verify-tls", weird}}, {});
    for (auto get : {+[](const Settings& x) { x.integer("pacs-concurrency", 1, 64); },
                     +[](const Settings& x) { x.number("pacs-max-rps", 0, 10); },
                     +[](const Settings& x) { (void)x.boolean("pacs-verify-tls"); }}) {
        try {
            get(s);
            ADD_FAILURE() << "accepted";
        } catch (const ConfigError& e) {
            std::string text = e.what();
            EXPECT_NE(text.find("--pacs-"), std::string::npos) << "names the origin: " << text;
            EXPECT_EQ(text.find("Hx7-planted"), std::string::npos) << "the value is echoed: " << text;
        }
    }
}

TEST_F(Options, EnvironmentValueAndFileBothSetIsAnError) {
    const std::string pw = temp_file("a\n");
    std::string e = error_of({}, {{"DICOMLAKE_PACS_PASSWORD", "b"}, {"DICOMLAKE_PACS_PASSWORD_FILE", pw}});
    EXPECT_NE(e.find("DICOMLAKE_PACS_PASSWORD "), std::string::npos) << e;
    EXPECT_NE(e.find("DICOMLAKE_PACS_PASSWORD_FILE"), std::string::npos) << e;
    // A flag decides before the environment is looked at.
    Settings s = resolve({{"pacs-password-file", pw}},
                         {{"DICOMLAKE_PACS_PASSWORD", "b"}, {"DICOMLAKE_PACS_PASSWORD_FILE", pw}});
    EXPECT_EQ(s.str("pacs-password"), "a");
}

TEST_F(Options, IntegerRangeErrorsNameOptionAndOrigin) {
    Settings file = resolve({}, {}, "[pacs]\n\nconcurrency = 0\n");
    try {
        file.integer("pacs-concurrency", 1, 64);
        ADD_FAILURE() << "no error";
    } catch (const ConfigError& e) {
        std::string what = e.what();
        EXPECT_NE(what.find("pacs-concurrency"), std::string::npos) << what;
        EXPECT_NE(what.find(config_ + ":3"), std::string::npos) << what;
        EXPECT_NE(what.find("1 to 64"), std::string::npos) << what;
    }
    Settings env = resolve({}, {{"DICOMLAKE_PACS_RETRIES", "eleven"}});
    try {
        env.integer("pacs-retries", 0, 10);
        ADD_FAILURE() << "no error";
    } catch (const ConfigError& e) {
        std::string what = e.what();
        EXPECT_NE(what.find("pacs-retries"), std::string::npos) << what;
        EXPECT_NE(what.find("DICOMLAKE_PACS_RETRIES"), std::string::npos) << what;
    }
    Settings flag = resolve({{"pacs-page-size", "4.5"}}, {});
    EXPECT_THROW(flag.integer("pacs-page-size", 1, 10000), ConfigError);
    Settings ok = resolve({{"pacs-page-size", "10000"}}, {});
    EXPECT_EQ(ok.integer("pacs-page-size", 1, 10000), 10000);
    EXPECT_THROW(ok.integer("pacs-page-size", 1, 9999), ConfigError);
    EXPECT_THROW(resolve({{"pacs-page-size", "99999999999999999999999"}}, {}).integer("pacs-page-size", 1, 10000),
                 ConfigError);
}

TEST_F(Options, BooleanParsingAndErrors) {
    for (const char* t : {"true", "TRUE", "1", "yes", "on"})
        EXPECT_TRUE(resolve({{"pacs-verify-tls", t}}, {}).boolean("pacs-verify-tls")) << t;
    for (const char* f : {"false", "False", "0", "no", "OFF"})
        EXPECT_FALSE(resolve({{"pacs-verify-tls", f}}, {}).boolean("pacs-verify-tls")) << f;
    EXPECT_TRUE(resolve({}, {}).boolean("pacs-verify-tls"));  // default
    EXPECT_FALSE(resolve({}, {}, "[pacs]\nverify_tls = false\n").boolean("pacs-verify-tls"));
    try {
        resolve({{"pacs-verify-tls", "maybe"}}, {}).boolean("pacs-verify-tls");
        ADD_FAILURE() << "no error";
    } catch (const ConfigError& e) {
        std::string what = e.what();
        EXPECT_NE(what.find("pacs-verify-tls"), std::string::npos) << what;
        EXPECT_NE(what.find("--pacs-verify-tls"), std::string::npos) << what;
        EXPECT_NE(what.find("true or false"), std::string::npos) << what;
        EXPECT_EQ(what.find("maybe"), std::string::npos) << "configuration errors never echo a value: " << what;
    }
}

TEST_F(Options, NumberParsing) {
    Settings s = resolve({{"pacs-timeout", "2.5"}}, {});
    EXPECT_DOUBLE_EQ(s.number("pacs-timeout", 1, 3600), 2.5);
    EXPECT_THROW(s.number("pacs-timeout", 3, 3600), ConfigError);
    EXPECT_THROW(resolve({{"pacs-timeout", "2.5s"}}, {}).number("pacs-timeout", 1, 3600), ConfigError);
}

TEST_F(Options, UndeclaredOptionIsAnInternalError) {
    Settings s = resolve({}, {});
    try {
        s.get("no-such-option");
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ExitCode::internal);
    }
}

// ---------------------------------------------------------------------------------------------
// Documentation: every option is in the example configuration and in the README.

std::string read_doc(const std::string& relative) {
    std::ifstream in(std::string(DICOMLAKE_SOURCE_DIR) + "/" + relative);
    if (!in) return {};
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// "section.key" for every key line, commented out ("# key = ...") or not.
std::set<std::string> documented_keys(const std::string& toml) {
    std::set<std::string> out;
    std::regex section(R"(^\s*#?\s*\[([A-Za-z0-9_-]+)\]\s*(#.*)?$)");
    std::regex key(R"(^\s*#?\s*([A-Za-z0-9_-]+)\s*=)");
    std::istringstream in(toml);
    std::string line, current;
    std::smatch m;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (std::regex_match(line, m, section))
            current = m[1];
        else if (std::regex_search(line, m, key) && !current.empty())
            out.insert(current + "." + std::string(m[1]));
    }
    return out;
}

bool has_word(const std::string& text, const std::string& word) {
    for (size_t pos = text.find(word); pos != std::string::npos; pos = text.find(word, pos + 1)) {
        size_t end = pos + word.size();
        bool left = pos == 0 || !(std::isalnum(static_cast<unsigned char>(text[pos - 1])) || text[pos - 1] == '_');
        bool right = end == text.size() ||
                     !(std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '_');
        if (left && right) return true;
    }
    return false;
}

// The helpers the documentation tests rely on, so that those fail only for missing docs.
TEST(OptionsDocumentation, HelpersFindKeysAndWords) {
    const std::string toml =
        "# dicomlake\n"
        "[pacs]\n"
        "url = \"http://pacs/dicom-web\"\n"
        "# password_file = \"/etc/dicomlake/pacs-password\"\n"
        "#concurrency = 4\n"
        "# Some prose: the default is 4.\n"
        "# [database]\n"
        "# url = \"postgresql://db/x\"\n";
    const std::set<std::string> keys = documented_keys(toml);
    EXPECT_TRUE(keys.count("pacs.url"));
    EXPECT_TRUE(keys.count("pacs.password_file"));
    EXPECT_TRUE(keys.count("pacs.concurrency"));
    EXPECT_TRUE(keys.count("database.url"));
    EXPECT_EQ(keys.size(), 4u);
    EXPECT_TRUE(has_word("set DICOMLAKE_KEY_FILE=/etc/k", "DICOMLAKE_KEY_FILE"));
    EXPECT_FALSE(has_word("set DICOMLAKE_KEY_FILE=/etc/k", "DICOMLAKE_KEY"));
    EXPECT_FALSE(has_word("DICOMLAKE_KEY_VERSION", "DICOMLAKE_KEY"));
    EXPECT_TRUE(has_word("`DICOMLAKE_KEY`", "DICOMLAKE_KEY"));
}

TEST(OptionsDocumentation, EveryOptionIsInTheExampleConfiguration) {
    const std::string toml = read_doc("config/dicomlake.example.toml");
    ASSERT_FALSE(toml.empty()) << "config/dicomlake.example.toml is missing or empty";
    const std::set<std::string> keys = documented_keys(toml);
    for (const auto& o : option_specs()) {
        bool found = keys.count(o.file_key) > 0;
        if (o.sensitivity == Sensitivity::secret) found = found || keys.count(file_key_file(o)) > 0;
        EXPECT_TRUE(found) << "`" << o.file_key << "` (--" << o.name
                           << ") is not in config/dicomlake.example.toml";
    }
}

TEST(OptionsDocumentation, ExampleConfigurationParsesAndHasNoUnknownKeys) {
    const std::string toml = read_doc("config/dicomlake.example.toml");
    ASSERT_FALSE(toml.empty()) << "config/dicomlake.example.toml is missing or empty";
    std::map<std::string, FileValue> parsed;
    ASSERT_NO_THROW(parsed = parse_config_text(toml, "config/dicomlake.example.toml"));
    std::set<std::string> known;
    for (const auto& o : option_specs()) {
        known.insert(o.file_key);
        if (o.sensitivity == Sensitivity::secret) known.insert(file_key_file(o));
    }
    for (const auto& [key, value] : parsed)
        EXPECT_TRUE(known.count(key)) << "config/dicomlake.example.toml:" << value.line << ": unknown key " << key;
}

TEST(OptionsDocumentation, EveryEnvironmentVariableIsInTheReadme) {
    const std::string readme = read_doc("README.md");
    ASSERT_FALSE(readme.empty()) << "README.md is missing or empty";
    for (const auto& o : option_specs()) {
        bool found = has_word(readme, env_name(o));
        if (o.sensitivity == Sensitivity::secret) found = found || has_word(readme, env_file_name(o));
        EXPECT_TRUE(found) << env_name(o) << " (--" << o.name << ") is not in README.md";
    }
}

}  // namespace
}  // namespace dicomlake::cli
