// A real SMTP server on loopback for tests: tests/support/smtpsink/smtpsink.py (aiosmtpd), one
// process per Sink, its messages saved as files. Used by the mail sink's tests and the report
// command's.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "harness.hpp"

namespace dicomlake::testing {

inline const std::string kSmtpSupport = DICOMLAKE_SOURCE_DIR "/tests/support/smtpsink/";

inline size_t count_lines(const std::string& text, const std::string& prefix) {
    size_t n = 0;
    for (size_t at = 0; (at = text.find(prefix, at)) != std::string::npos; at += prefix.size())
        if (at == 0 || text[at - 1] == '\n') ++n;
    return n;
}

// One smtpsink process: its messages land in `dir`, its events in `log`.
struct Sink {
    pid_t pid = -1;
    int port = 0;
    std::string dir, log;

    void start(const std::string& base, const std::string& name, const std::vector<std::string>& options) {
        dir = base + "/" + name;
        log = base + "/" + name + ".log";
        mkdir(dir.c_str(), 0700);
        port = free_port();
        std::vector<std::string> args{"/usr/bin/python3", kSmtpSupport + "smtpsink.py", "--port", std::to_string(port),
                                      "--dir", dir, "--log", log};
        args.insert(args.end(), options.begin(), options.end());
        const std::string out = base + "/" + name + ".out";
        pid = fork();
        if (pid == 0) {
            std::vector<char*> argv;
            for (auto& a : args) argv.push_back(a.data());
            argv.push_back(nullptr);
            (void)!freopen(out.c_str(), "w", stdout);
            (void)!freopen(out.c_str(), "a", stderr);
            execv(argv[0], argv.data());
            _exit(127);
        }
        // aiosmtpd needs a second or two to import and bind.
        for (int i = 0; i < 300 && read_file(log).find("READY") == std::string::npos; ++i) {
            if (waitpid(pid, nullptr, WNOHANG) == pid) {
                pid = -1;
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        if (read_file(log).find("READY") == std::string::npos)
            throw std::runtime_error("the SMTP sink did not start (python3-aiosmtpd installed?): " + read_file(out));
    }
    void stop() {
        if (pid <= 0) return;
        kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
        pid = -1;
    }
    std::string url(const char* scheme = "smtp") const { return std::string(scheme) + "://127.0.0.1:" + std::to_string(port); }
    std::vector<std::string> messages() const {
        std::vector<std::string> files;
        list_files(dir, files);
        return files;
    }
};


}  // namespace dicomlake::testing
