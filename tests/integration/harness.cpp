#include "harness.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <gtest/gtest.h>
#include <pqxx/pqxx>
#include <sys/stat.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "deid/pseudonym.hpp"
#include "warehouse/ledger.hpp"

namespace dicomlake::testing {

std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    return out + "'";
}

CommandResult run_shell(const std::string& command_line) {
    CommandResult r;
    FILE* p = popen((command_line + " 2>&1 </dev/null").c_str(), "r");
    if (p == nullptr) throw std::runtime_error("cannot run: " + command_line);
    std::array<char, 65536> buf{};
    size_t n;
    while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), n);
    int status = pclose(p);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return r;
}

int free_port() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0)
        throw std::runtime_error("no free port");
    close(fd);
    return ntohs(a.sin_port);
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

namespace {

bool is_dir(const std::string& p) {
    struct stat st {};
    return stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string lab_script() { return std::string(DICOMLAKE_SOURCE_DIR) + "/scripts/lab"; }

}  // namespace

Lab::Lab() {
    char tmpl[] = "/tmp/dicomlake-it.XXXXXX";
    if (mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    chmod(dir_.c_str(), 0755);  // the postgres user must reach the cluster when we are root
    auto r = run_shell(shell_quote(lab_script()) + " start " + shell_quote(dir_ + "/lab"));
    if (r.exit_code != 0) throw std::runtime_error("scripts/lab start failed:\n" + r.output);
    std::istringstream env(read_file(dir_ + "/lab/lab.env"));
    std::string line;
    while (std::getline(env, line)) {
        if (line.empty() || line[0] == '#') continue;
        auto eq = line.find('=');
        if (eq != std::string::npos) env_[line.substr(0, eq)] = line.substr(eq + 1);
    }
    key_file_ = dir_ + "/key";
    auto k = run_shell(shell_quote(DICOMLAKE_BINARY) + " keygen > " + shell_quote(key_file_));
    if (k.exit_code != 0) throw std::runtime_error("dicomlake keygen failed: " + k.output);
    chmod(key_file_.c_str(), 0600);
}

Lab& Lab::instance() {
    static Lab lab;
    return lab;
}

void Lab::restart_postgres() const {
    auto r = run_shell(shell_quote(lab_script()) + " restart-pg " + shell_quote(dir_ + "/lab"));
    if (r.exit_code != 0) throw std::runtime_error("scripts/lab restart-pg failed:\n" + r.output);
}

void Lab::stop() {
    if (dir_.empty()) return;
    run_shell(shell_quote(lab_script()) + " destroy " + shell_quote(dir_ + "/lab"));
    run_shell("rm -rf " + shell_quote(dir_));
    dir_.clear();
}

Lab::~Lab() { stop(); }

std::string Lab::pacs_origin() const {
    const std::string& url = pacs_url();
    return url.substr(0, url.find('/', url.find("://") + 3));
}

void list_files(const std::string& dir, std::vector<std::string>& out) {
    DIR* d = opendir(dir.c_str());
    if (d == nullptr) return;
    while (dirent* e = readdir(d)) {
        std::string name = e->d_name;
        if (name == "." || name == "..") continue;
        std::string path = dir + "/" + name;
        struct stat st {};
        if (stat(path.c_str(), &st) != 0) continue;
        if (S_ISDIR(st.st_mode))
            list_files(path, out);
        else if (S_ISREG(st.st_mode))
            out.push_back(path);
    }
    closedir(d);
}

std::string Lab::key() const {
    std::string k = read_file(key_file_);
    while (!k.empty() && (k.back() == '\n' || k.back() == '\r')) k.pop_back();
    return k;
}

std::string Lab::orthanc_password() const { return read_file(env_.at("DICOMLAKE_PACS_PASSWORD_FILE")); }

std::map<std::string, std::string> Lab::environment(const std::map<std::string, std::string>& extra) const {
    std::map<std::string, std::string> e = {
        {"DICOMLAKE_PACS_URL", env_.at("DICOMLAKE_PACS_URL")},
        {"DICOMLAKE_PACS_USER", env_.at("DICOMLAKE_PACS_USER")},
        {"DICOMLAKE_PACS_PASSWORD_FILE", env_.at("DICOMLAKE_PACS_PASSWORD_FILE")},
        {"DICOMLAKE_DB_URL", env_.at("DICOMLAKE_DB_URL")},
        {"DICOMLAKE_KEY_FILE", key_file_},
    };
    for (const auto& [k, v] : extra) e[k] = v;
    return e;
}

CommandResult Lab::dicomlake(const std::string& args, const std::map<std::string, std::string>& extra_env) const {
    return run_shell(command_line(args, extra_env));
}

Background Lab::dicomlake_background(const std::string& args, const std::string& log,
                                     const std::map<std::string, std::string>& extra_env,
                                     const std::string& workdir) const {
    Background b;
    b.log = log;
    b.pid = fork();
    if (b.pid == 0) {
        if (!workdir.empty() && chdir(workdir.c_str()) != 0) _exit(127);
        // exec all the way down (sh -> env -> dicomlake), so the pid is dicomlake's.
        std::string cmd = "exec " + command_line(args, extra_env) + " >" + shell_quote(log) + " 2>&1 </dev/null";
        execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    if (b.pid < 0) throw std::runtime_error("fork failed");
    return b;
}

int Background::wait() {
    int status = 0;
    if (waitpid(pid, &status, 0) < 0) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void Background::signal(int sig) const { kill(pid, sig); }

std::string Lab::command_line(const std::string& args, const std::map<std::string, std::string>& extra_env) const {
    // Start from a clean slate: no DICOMLAKE_* of the caller's leaks in.
    std::string cmd = "env";
    for (const char* name : {"DICOMLAKE_PACS_URL", "DICOMLAKE_PACS_USER", "DICOMLAKE_PACS_PASSWORD",
                             "DICOMLAKE_PACS_PASSWORD_FILE", "DICOMLAKE_DB_URL", "DICOMLAKE_KEY",
                             "DICOMLAKE_KEY_FILE", "DICOMLAKE_CONFIG"})
        cmd += std::string(" -u ") + name;
    for (const auto& [k, v] : environment(extra_env))
        if (!v.empty()) cmd += " " + k + "=" + shell_quote(v);
    cmd += " " + shell_quote(DICOMLAKE_BINARY) + " " + args;
    return cmd;
}

std::string Lab::fresh_database(const std::string& name) const {
    {
        pqxx::connection c(db_url());
        pqxx::nontransaction tx(c);
        tx.exec("DROP DATABASE IF EXISTS " + name);
        tx.exec("CREATE DATABASE " + name);
    }
    std::string url = db_url();
    return url.substr(0, url.rfind('/') + 1) + name;
}

std::vector<std::string> Lab::seed(const std::vector<std::string>& paths, bool tolerant) const {
    std::string cmd = shell_quote(lab_script()) + " seed " + shell_quote(dir_ + "/lab");
    if (tolerant) cmd += " --tolerant";
    for (const auto& p : paths) cmd += " " + shell_quote(p);
    auto r = run_shell(cmd);
    if (r.exit_code != 0) throw std::runtime_error("scripts/lab seed failed:\n" + r.output);
    std::vector<std::string> rejected;
    std::istringstream in(read_file(dir_ + "/lab/seed-rejected.tsv"));
    std::string line;
    while (std::getline(in, line)) {
        auto tab = line.find('\t');
        if (tab != std::string::npos) rejected.push_back(line.substr(tab + 1));
    }
    return rejected;
}

std::string warehouse_rows(const std::string& db) {
    pqxx::connection c(db);
    pqxx::work tx(c);
    std::string out;
    for (const auto& [table, order] :
         std::vector<std::pair<std::string, std::string>>{{"study", "study_key"},
                                                          {"series", "study_key, series_key"},
                                                          {"activity_day", "device_serial, day"},
                                                          {"activity_weekhour", "device_serial, weekday, hour"},
                                                          {"activity_week", "device_serial, week"}}) {
        std::string cols;
        for (const auto& r : tx.exec_params("SELECT column_name FROM information_schema.columns WHERE table_schema = "
                                            "'dicomlake' AND table_name = $1 AND column_name NOT IN ('loaded_at', "
                                            "'run_id') AND NOT (table_name = 'study' AND column_name = 'source')"
                                            " ORDER BY ordinal_position",
                                            table)) {
            if (!cols.empty()) cols += ", ";
            cols += tx.quote_name(r[0].as<std::string>());
        }
        out += "-- " + table + " (" + cols + ")\n";
        for (const auto& r :
             tx.exec("SELECT t::text FROM (SELECT " + cols + " FROM dicomlake." + table + " ORDER BY " + order + ") t"))
            out += r[0].as<std::string>() + "\n";
    }
    return out;
}

std::string migrated_database(const std::string& name) {
    std::string db = Lab::instance().fresh_database(name);
    auto m = Lab::instance().dicomlake("migrate", {{"DICOMLAKE_DB_URL", db}});
    EXPECT_EQ(m.exit_code, 0) << m.output;
    return db;
}

std::string study_status(const std::string& db, const std::string& study_uid) {
    deid::Pseudonymizer pseudo(Lab::instance().key(), 1);
    pqxx::connection c(db);
    pqxx::work tx(c);
    auto row = tx.exec_params("SELECT state, reason FROM dicomlake.study_status WHERE ledger_key = $1",
                              warehouse::ledger_key(pseudo, pseudo.uid(study_uid)));
    if (row.empty()) return "(no status)";
    return row[0][0].as<std::string>() + ": " + row[0][1].c_str();
}

std::string generate_fleet(const std::string& out, const std::string& args) {
    auto r = run_shell(shell_quote(DICOMLAKE_FLEETGEN) + " --out " + shell_quote(out) + " " + args);
    if (r.exit_code != 0) throw std::runtime_error("fleet generator failed:\n" + r.output);
    return out + "/truth.json";
}

std::string shared_samples_dir() {
    std::string d = std::string(DICOMLAKE_SOURCE_DIR) + "/../shared/data/dicom-samples";
    return is_dir(d) ? d : std::string();
}

std::vector<std::string> pydicom_dirs() {
    std::vector<std::string> out;
    for (const char* d : {"/usr/lib/python3/dist-packages/pydicom/data/test_files",
                          "/usr/lib/python3/dist-packages/pydicom/data/charset_files"})
        if (is_dir(d)) out.push_back(d);
    return out;
}

}  // namespace dicomlake::testing
