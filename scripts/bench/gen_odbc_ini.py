#!/usr/bin/env python3
"""Write a large mixed-driver odbc.ini, shaped like the files people publish.

    gen_odbc_ini.py OUT [DSNS]   (default 25,000 data sources, ~10 MB)

An `[ODBC]` section, the `[ODBC Data Sources]` list naming every data source
(one line each, `name = driver description`, as unixODBC's tools write it),
then one section per data source, cycling through the drivers connstr has
profiles for (PostgreSQL, MySQL, SQL Server, Snowflake, Databricks, SQLite,
DataDirect Autonomous REST, FreeTDS which has no profile), with comments,
tabs, odd casing, and an occasional typo so that diagnostics are produced.
Deterministic: the same arguments give the same bytes.
"""

import sys

DRIVERS = [
    (
        "PostgreSQL Unicode",
        lambda n: [
            "Description = Reporting replica {n}",
            "Driver      = PostgreSQL Unicode",
            "Servername  = pg-{n}.db.internal",
            "Port        = 5432",
            "Database    = reports_{n}",
            "Username    = report_reader",
            "Password    = s3cret-{n}",
            "SSLmode     = require",
            "ReadOnly    = Yes",
            "Protocol    = 7.4",
        ],
    ),
    (
        "MySQL ODBC 8.0 Unicode Driver",
        lambda n: [
            "Description=Shop database {n}",
            "Driver=MySQL ODBC 8.0 Unicode Driver",
            "SERVER=mysql-{n}.shop.example.com",
            "PORT=3306",
            "DATABASE=shop",
            "USER=shop_app",
            "PASSWORD=Sh0p-{n}",
            "SSLMODE=REQUIRED",
            "CHARSET=utf8mb4",
        ],
    ),
    (
        "ODBC Driver 18 for SQL Server",
        lambda n: [
            "Description = Finance warehouse {n}",
            "Driver = ODBC Driver 18 for SQL Server",
            "Server = tcp:sql-{n}.finance.example.com,1433",
            "Database = Finance",
            "Encrypt = yes",
            "TrustServerCertificate = no",
            "ApplicationIntent = ReadOnly",
            "ConnectRetryCount = 3",
        ],
    ),
    (
        "SnowflakeDSIIDriver",
        lambda n: [
            "Description=Snowflake account {n}",
            "Driver=SnowflakeDSIIDriver",
            "Account=xy{n:05d}",
            "Server=xy{n:05d}.eu-central-1.snowflakecomputing.com",
            "Database=ANALYTICS",
            "Schema=PUBLIC",
            "Warehouse=COMPUTE_WH",
            "Role=ANALYST",
            "Authenticator=snowflake_jwt",
            "PRIV_KEY_FILE=/etc/snowflake/rsa_key_{n}.p8",
        ],
    ),
    (
        "Simba Spark ODBC Driver",
        lambda n: [
            "Description=Databricks workspace {n}",
            "Driver=/opt/simba/spark/lib/64/libsparkodbc_sb64.so",
            "Host=adb-{n}.azuredatabricks.net",
            "Port=443",
            "HTTPPath=/sql/1.0/warehouses/{n:016x}",
            "SSL=1",
            "ThriftTransport=2",
            "AuthMech=3",
            "UID=token",
            "PWD=dapi{n:032x}",
        ],
    ),
    (
        "SQLite3",
        lambda n: [
            "Description=Local cache {n}",
            "Driver=SQLite3",
            "Database=/var/lib/app/cache-{n}.db",
            "Timeout=2000",
            "StepAPI=0",
            "NoTXN=0",
            "LongNames=0",
        ],
    ),
    (
        "DataDirect 8.0 Autonomous REST Connector",
        lambda n: [
            "Description=REST service {n}",
            "Driver=/opt/Progress/DataDirect/ODBC_80_64bit/lib/ddautorest28.so",
            "AuthenticationMethod=OAuth2-ClientCredentials",
            "ClientID=svc-{n}",
            "ClientSecret=cl1ent-S3cret-{n}",
            "TokenURI=POST https://login.example.com/oauth2/token",
            "Scope=api.read",
            "RESTConfigFile=/etc/connstr/service-{n}.rest",
            "HostName=https://api-{n}.example.com",
        ],
    ),
    (
        "FreeTDS",
        lambda n: [
            "Description\t= Legacy Sybase {n}",
            "Driver\t\t= FreeTDS",
            "Servername\t= sybase{n}",
            "Database\t= legacy",
            "TDS_Version\t= 5.0",
        ],
    ),
]

TYPOS = {
    0: ("Database    = reports_{n}", "Databse     = reports_{n}"),
    1: ("DATABASE=shop", "DATABSE=shop"),
    3: ("Warehouse=COMPUTE_WH", "Warehous=COMPUTE_WH"),
    4: ("HTTPPath=/sql/1.0/warehouses/{n:016x}", "HTTPPth=/sql/1.0/warehouses/{n:016x}"),
    6: ("ClientSecret=cl1ent-S3cret-{n}", "ClientSecert=cl1ent-S3cret-{n}"),
}


def main() -> None:
    out = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 25_000
    names = []
    for n in range(count):
        kind = n % len(DRIVERS)
        name = f"{DRIVERS[kind][0].split()[0].lower()}_{n:05d}"
        if n % 11 == 0:
            name = name.upper()
        names.append((name, kind))
    lines = ["; odbc.ini written by the bench generator", "[ODBC]", "Trace = No", "", "[ODBC Data Sources]"]
    for name, kind in names:
        lines.append(f"{name} = {DRIVERS[kind][0]}")
    for n, (name, kind) in enumerate(names):
        lines.append("")
        if n % 7 == 0:
            lines.append(f"# {DRIVERS[kind][0]} data source, added {2020 + n % 6}-0{1 + n % 9}-1{n % 10}")
        lines.append(f"; owner: data-platform team {n % 40}, ticket OPS-{10000 + n}, reviewed {2021 + n % 5}-1{n % 3}-0{1 + n % 9}, contact dba@example.com")
        lines.append(f"[{name}]")
        body = DRIVERS[kind][1](n)
        typo = TYPOS.get(kind)
        for template in body:
            text = template.format(n=n)
            if typo and n % 50 == kind and text == typo[0].format(n=n):
                text = typo[1].format(n=n)
            lines.append(text)
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
