// SPDX-License-Identifier: Apache-2.0
/** The PostgreSQL journal's record encoding, schema migration and batching writer; not API. */
@NullMarked
package io.cutover.provider.postgres.internal;

import org.jspecify.annotations.NullMarked;
