// Politeness towards the PACS, shared by every connection of a run: at most `concurrency`
// requests in flight and at most `max_rps` request starts per second (0: no rate limit).
// Retries pass through the gate too.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace dicomlake::source::dicomweb {

class RequestGate {
public:
    RequestGate(int concurrency, double max_rps) : slots_(concurrency < 1 ? 1 : concurrency), max_rps_(max_rps) {}

    // Blocks until a slot is free and the rate allows a new request.
    void enter() {
        std::chrono::steady_clock::time_point start;
        {
            std::unique_lock lock(mutex_);
            free_.wait(lock, [&] { return slots_ > 0; });
            --slots_;
            auto now = std::chrono::steady_clock::now();
            start = next_ > now ? next_ : now;
            if (max_rps_ > 0)
                next_ = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                    std::chrono::duration<double>(1.0 / max_rps_));
        }
        std::this_thread::sleep_until(start);
    }

    void leave() {
        std::lock_guard lock(mutex_);
        ++slots_;
        free_.notify_one();
    }

private:
    std::mutex mutex_;
    std::condition_variable free_;
    int slots_;
    double max_rps_;
    std::chrono::steady_clock::time_point next_{};
};

}  // namespace dicomlake::source::dicomweb
