# Turns the numbered SQL migrations (NNN_name.sql) into a C table compiled into walidata:
#   awk -f embed.awk etl/sql/001_x.sql etl/sql/002_y.sql > build/etl/migrations.c
# Each file becomes {NNN, "name", "text"}; backslashes and quotes are escaped.
BEGIN {
    print "/* Generated from the files in etl/sql by etl/sql/embed.awk: do not edit. */"
    print "#include \"migrate.h\""
    print "const struct wd_migration wd_migrations[] = {"
}
FNR == 1 {
    if (NR > 1)
        print "    },"
    n = split(FILENAME, parts, "/")
    base = parts[n]
    version = substr(base, 1, 3) + 0
    name = substr(base, 5)
    sub(/\.sql$/, "", name)
    printf "    {%d, \"%s\",\n", version, name
}
{
    line = $0
    gsub(/\\/, "\\\\", line)
    gsub(/"/, "\\\"", line)
    printf "     \"%s\\n\"\n", line
}
END {
    if (NR > 0)
        print "    },"
    print "    {0, NULL, NULL}};"
}
