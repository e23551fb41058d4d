#include "fault_proxy.hpp"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>

namespace dicomlake::testing {

namespace {

std::unique_ptr<httplib::Server> make_server(const FaultProxy::Tls* tls) {
    if (tls == nullptr) return std::make_unique<httplib::Server>();
    auto server = std::make_unique<httplib::SSLServer>(tls->cert.c_str(), tls->key.c_str(),
                                                       tls->client_ca.empty() ? nullptr : tls->client_ca.c_str());
    if (!server->is_valid()) throw std::runtime_error("the TLS proxy cannot load its certificate");
    return server;
}

}  // namespace

namespace {

bool ends_with(const std::string& s, const char* tail) {
    size_t n = std::strlen(tail);
    return s.size() >= n && s.compare(s.size() - n, n, tail) == 0;
}

// What a fault makes of a correct answer's body (faults that are no body change leave it).
void apply_body_fault(const Fault& fault, std::string& body, std::string& type) {
    switch (fault.kind) {
        case Fault::Kind::truncate_body: body = body.substr(0, body.size() / 2); break;
        case Fault::Kind::garbage_body: body = "<html>Service temporarily degraded</html>"; break;
        case Fault::Kind::multipart:
            body = "--XBOUNDARYX\r\nContent-Type: application/dicom+json\r\n\r\n" + body + "\r\n--XBOUNDARYX--\r\n";
            type = "multipart/related; type=\"application/dicom+json\"; boundary=XBOUNDARYX";
            break;
        case Fault::Kind::drop_last_item: {
            auto all = nlohmann::json::parse(body, nullptr, false);
            if (all.is_array() && !all.empty()) all.erase(all.size() - 1);
            if (!all.is_discarded()) body = all.dump();
            break;
        }
        default: break;
    }
}

}  // namespace

FaultProxy::FaultProxy(std::string upstream, const Tls* tls)
    : upstream_(std::move(upstream)), tls_(tls != nullptr), server_(make_server(tls)) {
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
        static const auto t0 = std::chrono::steady_clock::now();
        {
            std::lock_guard lock(mutex_);
            for (auto& [marker, f] : faults_) {
                if (target.find(marker) == std::string::npos || f.times == 0) continue;
                fault = f;
                if (f.times > 0) --f.times;
            }
            if (fault) ++served_;
            if (!fault) fault = chaos_fault(target);
            max_in_flight_ = std::max(max_in_flight_, ++in_flight_);
            starts_.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
        }
        struct Done {
            FaultProxy* p;
            ~Done() {
                std::lock_guard lock(p->mutex_);
                --p->in_flight_;
            }
        } done{this};
        if (fault && fault->kind == Fault::Kind::status) {
            res.status = fault->status;
            if (!fault->retry_after.empty()) res.set_header("Retry-After", fault->retry_after);
            res.set_content("injected failure", "text/plain");
            return;
        }
        if (fault && fault->kind == Fault::Kind::body) {
            if (!fault->encoding.empty()) res.set_header("Content-Encoding", fault->encoding);
            res.set_content(*fault->body, fault->content_type.c_str());
            return;
        }
        QidoMode mode;
        int cap;
        std::string bearer, upstream_auth;
        {
            std::lock_guard lock(mutex_);
            mode = qido_mode_;
            cap = qido_n_;
            bearer = bearer_;
            upstream_auth = upstream_auth_;
        }
        if (!bearer.empty()) {
            if (req.get_header_value("Authorization") != "Bearer " + bearer) {
                res.status = 401;
                return;
            }
        }
        std::string body, type;
        bool listing = ends_with(req.path, "/studies") || ends_with(req.path, "/series");
        if (listing && mode != QidoMode::pass) {
            answer_qido(req, res, mode, cap);
            if (res.status != 200) return;
            body = res.body;
            type = "application/dicom+json";
        } else {
            if (fault && fault->kind == Fault::Kind::delay)
                std::this_thread::sleep_for(std::chrono::milliseconds(fault->delay_ms));
            httplib::Client upstream(upstream_);
            httplib::Headers headers;
            for (const char* h : {"Authorization", "Accept"})
                if (req.has_header(h)) headers.emplace(h, req.get_header_value(h));
            if (!upstream_auth.empty()) {
                headers.erase("Authorization");
                headers.emplace("Authorization", upstream_auth);
            }
            auto r = upstream.Get(target, headers);
            if (!r) {
                res.status = 502;
                return;
            }
            res.status = r->status;
            body = r->body;
            type = r->get_header_value("Content-Type");
        }
        if (fault) apply_body_fault(*fault, body, type);
        if (fault && fault->kind == Fault::Kind::reset_mid_body) {
            auto shared = std::make_shared<std::string>(std::move(body));
            res.set_content_provider(shared->size(), type, [shared](size_t offset, size_t, httplib::DataSink& sink) {
                if (offset > 0) return false;  // the connection drops after the first half
                sink.write(shared->data(), shared->size() / 2);
                return true;
            });
            return;
        }
        res.set_content(body, type.empty() ? "application/octet-stream" : type.c_str());
    });
    port_ = server_->bind_to_any_port("127.0.0.1");
    if (port_ <= 0) throw std::runtime_error("the fault proxy cannot bind a port");
    thread_ = std::thread([this] { server_->listen_after_bind(); });
}

std::optional<Fault> FaultProxy::chaos_fault(const std::string& target) {
    if (chaos_percent_ <= 0 || !chaos_seen_.insert(target).second) return std::nullopt;
    size_t h = std::hash<std::string>()(std::to_string(chaos_seed_) + target);
    if (static_cast<int>(h % 100) >= chaos_percent_) return std::nullopt;
    ++chaos_served_;
    switch ((h / 100) % 4) {
        case 0: return Fault::answer(503);
        case 1: return Fault::answer(429, -1, "1");
        case 2: return Fault::reset_mid_body();
        default: return Fault::truncated();
    }
}

int FaultProxy::chaos_served() const {
    std::lock_guard lock(mutex_);
    return chaos_served_;
}

FaultProxy::~FaultProxy() {
    server_->stop();
    if (thread_.joinable()) thread_.join();
}

void FaultProxy::add_fault(const std::string& marker, Fault fault) {
    std::lock_guard lock(mutex_);
    faults_[marker] = fault;
}

void FaultProxy::answer_qido(const httplib::Request& req, httplib::Response& res, QidoMode mode, int n) {
    // Everything the upstream has for the filter, then this server's idea of a page of it.
    std::string target = req.path + "?limit=100000&offset=0";
    long limit = 100, offset = 0;
    for (const auto& [k, v] : req.params) {
        if (k == "limit")
            limit = std::stol(v);
        else if (k == "offset")
            offset = std::stol(v);
        else
            target += "&" + k + "=" + v;
    }
    httplib::Client upstream(upstream_);
    httplib::Headers headers;
    for (const char* h : {"Authorization", "Accept"})
        if (req.has_header(h)) headers.emplace(h, req.get_header_value(h));
    auto r = upstream.Get(target, headers);
    if (!r || r->status != 200) {
        res.status = r ? r->status : 502;
        return;
    }
    auto all = nlohmann::json::parse(r->body.empty() ? "[]" : r->body);
    long total = static_cast<long>(all.size());
    long begin = offset, end = offset + limit;
    if (mode == QidoMode::page_cap) end = std::min(end, offset + n);
    if (mode == QidoMode::total_cap_warning) {
        end = std::min(end, static_cast<long>(n));
        if (total > n)
            res.set_header("Warning", "299 proxy: There are " + std::to_string(total - n) +
                                          " additional results that can be requested");
    }
    if (mode == QidoMode::ignore_offset) {
        begin = 0;
        end = limit;
    }
    nlohmann::json page = nlohmann::json::array();
    for (long i = begin; i < std::min(end, total); ++i) page.push_back(all[static_cast<size_t>(i)]);
    if (page.empty() && mode == QidoMode::page_cap) {
        res.status = 204;
        return;
    }
    res.status = 200;
    res.set_content(page.dump(), "application/dicom+json");
}

int FaultProxy::max_in_flight() const {
    std::lock_guard lock(mutex_);
    return max_in_flight_;
}

int FaultProxy::requests() const {
    std::lock_guard lock(mutex_);
    return static_cast<int>(starts_.size());
}

int FaultProxy::max_per_second() const {
    std::lock_guard lock(mutex_);
    std::vector<double> t = starts_;
    std::sort(t.begin(), t.end());
    int best = 0;
    for (size_t i = 0, j = 0; j < t.size(); ++j) {
        while (t[j] - t[i] >= 1.0) ++i;
        best = std::max(best, static_cast<int>(j - i + 1));
    }
    return best;
}

int FaultProxy::faults_served() const {
    std::lock_guard lock(mutex_);
    return served_;
}

}  // namespace dicomlake::testing
