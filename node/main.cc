// ipledger: the one binary. Subcommands grow with the product.
#include <cstdio>
#include <string_view>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: ipledger <command> [args]\n");
    return 2;
  }
  std::fprintf(stderr, "ipledger: unknown command '%s'\n", argv[1]);
  return 2;
}
