#include "fault_proxy.hpp"

#include <httplib.h>

#include <chrono>
#include <optional>
#include <stdexcept>

namespace dicomlake::testing {

FaultProxy::FaultProxy(std::string upstream) : upstream_(std::move(upstream)), server_(std::make_unique<httplib::Server>()) {
    server_->Get(".*", [this](const httplib::Request& req, httplib::Response& res) {
        std::string target = req.path;
        if (!req.params.empty()) {
            target += '?';
            bool first = true;
            for (const auto& [k, v] : req.params) {
                if (!first) target += '&';
                target += k + "=" + v;
                first = false;
            }
        }
        std::optional<Fault> fault;
        {
            std::lock_guard lock(mutex_);
            for (const auto& [marker, f] : faults_)
                if (req.path.find(marker) != std::string::npos) fault = f;
            if (fault) ++served_;
        }
        if (fault && fault->kind == Fault::Kind::status) {
            res.status = fault->status;
            res.set_content("injected failure", "text/plain");
            return;
        }
        if (fault && fault->kind == Fault::Kind::delay)
            std::this_thread::sleep_for(std::chrono::milliseconds(fault->delay_ms));
        httplib::Client upstream(upstream_);
        httplib::Headers headers;
        for (const char* h : {"Authorization", "Accept"})
            if (req.has_header(h)) headers.emplace(h, req.get_header_value(h));
        auto r = upstream.Get(target, headers);
        if (!r) {
            res.status = 502;
            return;
        }
        std::string body = r->body;
        std::string type = r->get_header_value("Content-Type");
        if (fault && fault->kind == Fault::Kind::truncate_body) body = body.substr(0, body.size() / 2);
        if (fault && fault->kind == Fault::Kind::garbage_body) body = "<html>Service temporarily degraded</html>";
        res.status = r->status;
        res.set_content(body, type.empty() ? "application/octet-stream" : type.c_str());
    });
    port_ = server_->bind_to_any_port("127.0.0.1");
    if (port_ <= 0) throw std::runtime_error("the fault proxy cannot bind a port");
    thread_ = std::thread([this] { server_->listen_after_bind(); });
}

FaultProxy::~FaultProxy() {
    server_->stop();
    if (thread_.joinable()) thread_.join();
}

void FaultProxy::add_fault(const std::string& marker, Fault fault) {
    std::lock_guard lock(mutex_);
    faults_[marker] = fault;
}

int FaultProxy::faults_served() const {
    std::lock_guard lock(mutex_);
    return served_;
}

}  // namespace dicomlake::testing
