#include "util/signals.hpp"

#include <atomic>
#include <csignal>
#include <cstring>
#include <unistd.h>

namespace dicomlake {

namespace {

std::atomic<bool> g_stop{false};

void on_signal(int sig) {
    if (g_stop.exchange(true)) {
        std::signal(sig, SIG_DFL);
        std::raise(sig);
        return;
    }
    const char msg[] = "\ndicomlake: stopping after the studies in flight (a second signal ends it at once)\n";
    ssize_t ignored = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)ignored;
}

}  // namespace

void install_stop_handlers() {
    struct sigaction sa;
    std::memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
}

bool stop_requested() { return g_stop.load(std::memory_order_relaxed); }
void request_stop() { g_stop = true; }

}  // namespace dicomlake
