import { graphql } from '@/gql';

/** Every staff user (up to a page of 100), for pickers and to name ids. */
export const StaffQuery = graphql(`
  query Staff {
    users(first: 100) {
      nodes {
        id
        email
      }
    }
  }
`);
