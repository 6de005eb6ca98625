"""The explorer page's backend: fuzzy node search, neighbour pages, paths, subgraphs and the Browser style."""
