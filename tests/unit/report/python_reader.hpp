// Reading the exports back with Python's own csv and zipfile modules, so that what the tests
// expect never comes from dicomlake's writers.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

namespace dicomlake::report::testing {

// A fresh directory for one test, removed at the end.
class TempDir {
public:
    TempDir() {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        path_ = std::filesystem::temp_directory_path() /
                ("dicomlake-" + std::string(info->test_suite_name()) + "-" + info->name() + "-" +
                 std::to_string(::getpid()));
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

inline ::testing::AssertionResult contains(const std::string& text, const std::string& part) {
    if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "no \"" << part << "\" in:\n" << text;
}

// Runs `script` with python3, the file as its argument; returns what it printed (ASCII: the
// scripts print JSON, which escapes every non-ASCII character). A failure fails the test.
inline std::string run_python(const std::string& script, const std::filesystem::path& file) {
    const auto script_file = file.parent_path() / "reader.py";
    std::ofstream(script_file) << script;
    const std::string cmd = "python3 '" + script_file.string() + "' '" + file.string() + "' 2>&1";
    std::string out;
    FILE* p = popen(cmd.c_str(), "r");
    if (p == nullptr) {
        ADD_FAILURE() << "cannot start " << cmd;
        return out;
    }
    std::array<char, 4096> buf{};
    std::size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
    const int status = pclose(p);
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) ADD_FAILURE() << cmd << " failed:\n" << out;
    return out;
}

}  // namespace dicomlake::report::testing
