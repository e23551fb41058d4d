#include "util/progress.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>

namespace dicomlake {

namespace {

std::string duration(double s) {
    long t = static_cast<long>(s + 0.5);
    char buf[32];
    if (t >= 3600)
        std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", t / 3600, (t / 60) % 60, t % 60);
    else
        std::snprintf(buf, sizeof buf, "%ld:%02ld", t / 60, t % 60);
    return buf;
}

}  // namespace

Progress::Progress(std::string label)
    : label_(std::move(label)), tty_(isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()), last_report_(start_) {}

void Progress::set_listed(long listed, bool listing_done) {
    listed_ = listed;
    listing_done_ = listing_done;
    report(false);
}

void Progress::add_done(long loaded, long unchanged, long failed) {
    loaded_ += loaded;
    unchanged_ += unchanged;
    failed_ += failed;
    done_ += loaded + unchanged + failed;
    report(false);
}

std::string Progress::line() const {
    double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    double rate = elapsed > 0 ? static_cast<double>(done_) / elapsed : 0;
    std::string total = listing_done_ ? std::to_string(listed_) : std::to_string(listed_) + "+";
    std::string eta = listing_done_ && rate > 0 ? duration(static_cast<double>(listed_ - done_) / rate) : "?";
    char buf[256];
    std::snprintf(buf, sizeof buf, "%s: %ld/%s studies (%ld loaded, %ld unchanged, %ld failed), %.1f studies/s, ETA %s",
                  label_.c_str(), done_, total.c_str(), loaded_, unchanged_, failed_, rate, eta.c_str());
    return buf;
}

void Progress::report(bool force) {
    auto now = std::chrono::steady_clock::now();
    auto since = std::chrono::duration<double>(now - last_report_).count();
    if (tty_) {
        if (!force && since < 0.25) return;
        std::fprintf(stderr, "\r\033[K%s", line().c_str());
        std::fflush(stderr);
    } else {
        if (!force && since < 10) return;
        spdlog::info("progress: {}", line());
    }
    last_report_ = now;
}

void Progress::finish() {
    report(true);
    if (tty_) std::fprintf(stderr, "\n");
}

}  // namespace dicomlake
