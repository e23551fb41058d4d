// When the PACS keeps failing, stop hammering it: after `threshold` failed requests in a row
// (across all connections) every request waits `pause`, doubling up to 10 minutes, before the
// next try; waits do not use up a request's retries. After `max_trips` pauses without a single
// success the breaker gives up and requests fail as unreachable.
#pragma once

#include <algorithm>
#include <chrono>
#include <mutex>
#include <thread>

#include <spdlog/spdlog.h>

namespace dicomlake::source::dicomweb {

class CircuitBreaker {
public:
    CircuitBreaker(int threshold, double pause_s, int max_trips = 6)
        : threshold_(threshold < 1 ? 1 : threshold), pause_s_(pause_s), max_trips_(max_trips) {}

    // Waits while the breaker is open.
    void wait_if_open() {
        std::chrono::steady_clock::time_point until;
        {
            std::lock_guard lock(mutex_);
            until = open_until_;
        }
        std::this_thread::sleep_until(until);
    }

    void success() {
        std::lock_guard lock(mutex_);
        consecutive_ = 0;
        trips_ = 0;
    }

    enum class Verdict { retry_normally, paused, give_up };
    // A transient failure. `paused`: the caller should wait_if_open() and try again without
    // counting the attempt; `give_up`: the PACS has been failing for too long.
    Verdict failure() {
        std::lock_guard lock(mutex_);
        ++consecutive_;
        if (consecutive_ < threshold_) return Verdict::retry_normally;
        auto now = std::chrono::steady_clock::now();
        if (now >= open_until_) {
            if (trips_ >= max_trips_) return Verdict::give_up;
            double pause = std::min(600.0, pause_s_ * static_cast<double>(1 << std::min(trips_, 10)));
            open_until_ = now + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                    std::chrono::duration<double>(pause));
            ++trips_;
            spdlog::warn("the PACS failed {} requests in a row: pausing {:.0f} s before trying again ({} of {})",
                         consecutive_, pause, trips_, max_trips_);
        }
        return Verdict::paused;
    }

private:
    std::mutex mutex_;
    int threshold_;
    double pause_s_;
    int max_trips_;
    int consecutive_ = 0;
    int trips_ = 0;
    std::chrono::steady_clock::time_point open_until_{};
};

}  // namespace dicomlake::source::dicomweb
