// Progress of a long run: a live line on a terminal, periodic log lines otherwise (cron,
// systemd journal). Counts only: never names a study.
#pragma once

#include <chrono>
#include <string>

namespace dicomlake {

class Progress {
public:
    explicit Progress(std::string label);
    void set_listed(long listed, bool listing_done);
    void add_done(long loaded, long unchanged, long failed);
    void finish();

private:
    void report(bool force);
    std::string line() const;
    std::string label_;
    bool tty_;
    long listed_ = 0, done_ = 0, failed_ = 0, loaded_ = 0, unchanged_ = 0;
    bool listing_done_ = false;
    std::chrono::steady_clock::time_point start_, last_report_;
};

}  // namespace dicomlake
