// Every setting is declared once, in options.cpp: its flag, configuration-file key,
// environment variable, default and help text all come from that one line.
// Precedence: command-line flag > environment > configuration file > default.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace dicomlake::cli {

enum class Sensitivity {
    none,
    secret,         // refused on the command line (it would show in `ps`); masked; also *_FILE
    url_password,   // a URL that must not embed a password (user:password@, password=): refused from anywhere
    url_userinfo,   // a URL that must not embed any credentials (user@ or user:password@): refused from anywhere
};

struct OptionSpec {
    const char* name;           // "pacs-url" -> --pacs-url, DICOMLAKE_PACS_URL
    const char* file_key;       // "pacs.url"
    const char* default_value;  // nullptr: no default
    const char* value_name;     // "URL", shown in --help
    const char* group;          // --help section
    const char* help;
    Sensitivity sensitivity = Sensitivity::none;
};

const std::vector<OptionSpec>& option_specs();
const OptionSpec* find_option(const std::string& name);

std::string env_name(const OptionSpec& spec);         // DICOMLAKE_PACS_URL
std::string env_file_name(const OptionSpec& spec);    // DICOMLAKE_PACS_PASSWORD_FILE
std::string flag_file_name(const OptionSpec& spec);   // pacs-password-file
std::string file_key_file(const OptionSpec& spec);    // pacs.password_file

enum class Origin { unset, default_value, file, environment, flag };
const char* to_string(Origin o);

struct Setting {
    std::string value;
    Origin origin = Origin::unset;
    std::string where;  // "--pacs-url", "DICOMLAKE_PACS_URL", "/etc/dicomlake/dicomlake.toml:4", "default"
};

using Getenv = std::function<const char*(const char*)>;

class Settings {
public:
    // `flags`: option name (or its "-file" companion) -> value given on the command line.
    // `config_path`: the file named by --config / DICOMLAKE_CONFIG, or empty for the default
    // /etc/dicomlake/dicomlake.toml when it exists. Throws ConfigError.
    static Settings resolve(const std::map<std::string, std::string>& flags, const std::string& config_path,
                            const Getenv& getenv);

    const Setting& get(const std::string& name) const;
    const std::string& str(const std::string& name) const { return get(name).value; }
    long integer(const std::string& name, long min, long max) const;
    double number(const std::string& name, double min, double max) const;
    bool boolean(const std::string& name) const;
    const std::string& config_file() const { return config_file_; }

private:
    std::map<std::string, Setting> values_;
    std::string config_file_;
};

// Reads a secret from a *_FILE path (trailing newline removed). Throws ConfigError, also when
// the file may be read by its group or others (see require_private_file).
std::string read_secret_file(const std::string& path, const std::string& what);

// Throws ConfigError naming `path` and the chmod to run when the file exists and its mode lets
// its group or others read or write it (mode & 077). `what` says what the file holds.
void require_private_file(const std::string& path, const std::string& what);

}  // namespace dicomlake::cli
