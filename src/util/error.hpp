// Typed failures that map to exit codes. Messages must never contain patient identifiers:
// name a study by its pseudonym (study_key), never by its original UID or the patient.
#pragma once

#include <stdexcept>
#include <string>

#include "dicomlake/exit_codes.hpp"

namespace dicomlake {

class Error : public std::runtime_error {
public:
    Error(ExitCode code, const std::string& what) : std::runtime_error(what), code_(code) {}
    ExitCode code() const noexcept { return code_; }

private:
    ExitCode code_;
};

struct ConfigError : Error {
    explicit ConfigError(const std::string& what) : Error(ExitCode::config, what) {}
};
struct PacsError : Error {
    explicit PacsError(const std::string& what) : Error(ExitCode::pacs_unavailable, what) {}
};
struct DatabaseError : Error {
    explicit DatabaseError(const std::string& what) : Error(ExitCode::db_unavailable, what) {}
};
struct LockedError : Error {
    explicit LockedError(const std::string& what) : Error(ExitCode::locked, what) {}
};

}  // namespace dicomlake
