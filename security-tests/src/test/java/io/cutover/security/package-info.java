// SPDX-License-Identifier: Apache-2.0
/** Secret-canary tests over the whole product: nothing here is shipped. */
package io.cutover.security;
