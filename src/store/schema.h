/* Private to the store: the ordered list of forward migrations. */
#ifndef KY_STORE_SCHEMA_H
#define KY_STORE_SCHEMA_H

/* SQL of migration i (0-based) and its short name; NULL past the end. */
const char *ky__store_migration(int i, const char **name);

#endif
