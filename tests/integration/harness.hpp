// The integration lab: a real PostgreSQL and a real Orthanc with DICOMweb (scripts/lab), the
// real dicomlake binary, and the project's own fleet generator. Started once per test program.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace dicomlake::testing {

struct CommandResult {
    int exit_code = -1;
    std::string output;  // stdout and stderr together
};

// A dicomlake started in the background (its output goes to `log`).
struct Background {
    int pid = -1;
    std::string log;
    int wait();  // exit code (128 + signal when killed)
    void signal(int sig) const;
};

// Runs a shell command line; fails the current test if it cannot be started.
CommandResult run_shell(const std::string& command_line);
std::string shell_quote(const std::string& s);

class Lab {
public:
    // Starts a lab in a fresh temporary directory. Throws with the script's output on failure.
    static Lab& instance();

    const std::string& dir() const { return dir_; }
    const std::string& db_url() const { return env_.at("DICOMLAKE_DB_URL"); }
    const std::string& pacs_url() const { return env_.at("DICOMLAKE_PACS_URL"); }
    // Orthanc's DIMSE side: dicom://LABPACS@127.0.0.1:PORT (C-FIND, C-GET, C-MOVE), and the port
    // its DICOMLAKE modality (the C-MOVE destination) points at, for a storage SCP to listen on.
    const std::string& dimse_url() const { return env_.at("LAB_DIMSE_URL"); }
    int store_port() const { return std::stoi(env_.at("LAB_STORE_PORT")); }
    // scheme://host:port of the PACS (what a proxy in front of it forwards to).
    std::string pacs_origin() const;
    const std::string& key_file() const { return key_file_; }
    std::string key() const;
    std::string orthanc_password() const;

    // The environment a user would set (PACS, database, key file), plus `extra`.
    std::map<std::string, std::string> environment(const std::map<std::string, std::string>& extra = {}) const;

    // `dicomlake ARGS` with the lab's environment (overridable), stdout+stderr captured.
    CommandResult dicomlake(const std::string& args, const std::map<std::string, std::string>& extra_env = {}) const;

    // ... in the background, in `workdir` when given (else the test's own directory).
    Background dicomlake_background(const std::string& args, const std::string& log,
                                    const std::map<std::string, std::string>& extra_env = {},
                                    const std::string& workdir = {}) const;
    std::string command_line(const std::string& args, const std::map<std::string, std::string>& extra_env) const;

    // Drops and creates database `name` in the lab's PostgreSQL; returns its URL (not migrated).
    std::string fresh_database(const std::string& name) const;

    // Uploads files/folders to Orthanc; returns the paths Orthanc rejected.
    std::vector<std::string> seed(const std::vector<std::string>& paths, bool tolerant) const;

    // Restarts the lab's PostgreSQL (fast shutdown: open connections are cut).
    void restart_postgres() const;

    void stop();
    ~Lab();

private:
    Lab();
    std::string dir_;
    std::string key_file_;
    std::map<std::string, std::string> env_;
};

// Every loaded row (study, series, utilization aggregates) as text, ordered, without what depends on
// when, in which run or from which source it was loaded (loaded_at, run_id, study.source): equal
// for two equal warehouses, whichever way the studies arrived.
std::string warehouse_rows(const std::string& db_url);

// A fresh database `name` in the lab's PostgreSQL, migrated by `dicomlake migrate`; its URL.
std::string migrated_database(const std::string& name);

// A study's ledger entry as "state: reason" ("loaded: ", "failed: timeout: ..."), or "(no status)";
// the study is found by its original UID under the lab's key.
std::string study_status(const std::string& db_url, const std::string& study_uid);

// Runs the fleet generator into `out` and returns the path of its truth.json.
std::string generate_fleet(const std::string& out, const std::string& args);

// The shared real sample folder (../shared/data/dicom-samples beside the repo), or empty.
std::string shared_samples_dir();
// pydicom's Debian-shipped files, or empty when python3-pydicom is absent.
std::vector<std::string> pydicom_dirs();

// A loopback port nobody listens on (bound, read, released).
int free_port();

std::string read_file(const std::string& path);
// Every regular file under `dir`, recursively, appended to `out`.
void list_files(const std::string& dir, std::vector<std::string>& out);

}  // namespace dicomlake::testing
