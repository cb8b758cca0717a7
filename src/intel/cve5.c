/* CVE JSON 5 records to CSAF 2.0 documents (placeholder). */
