"""Validate docker-compose.yml without a Docker engine: YAML syntax and the shape we rely on."""

import sys

import yaml

REQUIRED = {"postgres", "redis", "web", "worker", "beat"}


def main(path: str) -> int:
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    problems = []
    services = data.get("services", {})
    missing = REQUIRED - services.keys()
    if missing:
        problems.append(f"missing services: {sorted(missing)}")
    for name, svc in services.items():
        if "image" not in svc and "build" not in svc:
            problems.append(f"{name}: needs image or build")
        if name in REQUIRED and "healthcheck" not in svc:
            problems.append(f"{name}: no healthcheck")
        for dep, cond in (svc.get("depends_on") or {}).items():
            if dep not in services:
                problems.append(f"{name}: depends on unknown service {dep}")
            if not isinstance(cond, dict) or "condition" not in cond:
                problems.append(f"{name}: depends_on {dep} without a condition")
        for vol in svc.get("volumes", []):
            src = vol.split(":")[0] if isinstance(vol, str) else vol.get("source")
            if src and not src.startswith((".", "/")) and src not in (data.get("volumes") or {}):
                problems.append(f"{name}: volume {src} is not declared")
    if problems:
        print("\n".join(problems))
        return 1
    print(f"{path}: {len(services)} services, valid")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
