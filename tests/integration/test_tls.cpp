// TLS to the PACS: a hospital CA, client certificates, verification on unless switched off.
#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "fault_proxy.hpp"
#include "harness.hpp"

namespace dicomlake::testing {
namespace {

class Tls : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        Lab& lab = Lab::instance();
        dir_ = lab.dir() + "/tls";
        // A CA, a server certificate for 127.0.0.1 and a client certificate, all made here.
        std::string script =
            "set -e; mkdir -p " + shell_quote(dir_) + "; cd " + shell_quote(dir_) +
            "; openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=test-hospital-ca"
            "; openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=127.0.0.1"
            "; printf 'subjectAltName=IP:127.0.0.1\\n' > san.ext"
            "; openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2"
            " -extfile san.ext"
            "; openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj /CN=dicomlake"
            "; openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out client.pem -days 2"
            "; chmod 600 *.key";
        auto r = run_shell("(" + script + ")");
        ASSERT_EQ(r.exit_code, 0) << r.output;
    }

    static CommandResult check(FaultProxy& proxy, const std::map<std::string, std::string>& extra) {
        std::map<std::string, std::string> env = {{"DICOMLAKE_PACS_URL", proxy.origin() + "/dicom-web"}};
        for (const auto& [k, v] : extra) env[k] = v;
        return Lab::instance().dicomlake("check", env);
    }

    static std::unique_ptr<FaultProxy> proxy() {
        FaultProxy::Tls tls{dir_ + "/server.pem", dir_ + "/server.key", dir_ + "/ca.pem"};
        return std::make_unique<FaultProxy>(Lab::instance().pacs_origin(), &tls);
    }

    static inline std::string dir_;
};

TEST_F(Tls, HospitalCaAndClientCertificate) {
    auto p = proxy();
    auto ok = check(*p, {{"DICOMLAKE_PACS_CA_FILE", dir_ + "/ca.pem"},
                         {"DICOMLAKE_PACS_CLIENT_CERT", dir_ + "/client.pem"},
                         {"DICOMLAKE_PACS_CLIENT_KEY", dir_ + "/client.key"}});
    EXPECT_EQ(ok.exit_code, 0) << ok.output;
    EXPECT_NE(ok.output.find("PACS:     ok"), std::string::npos) << ok.output;
}

TEST_F(Tls, NoClientCertificateIsRefused) {
    auto p = proxy();
    auto r = check(*p, {{"DICOMLAKE_PACS_CA_FILE", dir_ + "/ca.pem"}});
    EXPECT_EQ(r.exit_code, 4) << r.output;
    EXPECT_NE(r.output.find("PACS:     FAILED"), std::string::npos) << r.output;
}

TEST_F(Tls, AnUntrustedServerCertificateIsRefusedUnlessVerificationIsOff) {
    auto p = proxy();
    std::map<std::string, std::string> cert = {{"DICOMLAKE_PACS_CLIENT_CERT", dir_ + "/client.pem"},
                                               {"DICOMLAKE_PACS_CLIENT_KEY", dir_ + "/client.key"}};
    auto refused = check(*p, cert);  // the system store does not know the hospital CA
    EXPECT_EQ(refused.exit_code, 4) << refused.output;
    EXPECT_NE(refused.output.find("certificate"), std::string::npos) << refused.output;
    cert["DICOMLAKE_PACS_VERIFY_TLS"] = "false";
    auto unverified = check(*p, cert);
    EXPECT_EQ(unverified.exit_code, 0) << unverified.output;
    EXPECT_NE(unverified.output.find("verification is OFF"), std::string::npos) << "no warning:\n" << unverified.output;
}

}  // namespace
}  // namespace dicomlake::testing
