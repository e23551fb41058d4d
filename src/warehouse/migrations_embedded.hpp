#pragma once

#include <string>
#include <vector>

namespace dicomlake::warehouse {

struct EmbeddedMigration {
    int version;
    const char* name;
    const char* sql;
};

// The migrations of sql/migrations, in version order (generated at build time).
const std::vector<EmbeddedMigration>& embedded_migrations();

}  // namespace dicomlake::warehouse
