/**
 * Names for synthetic people: common given and family names in England's communities, combined at
 * random, so every person is fictional. A few hundred of each are enough for realistic searching,
 * sound-alike matching and duplicate detection.
 */

export type NamePool =
  | 'british'
  | 'eastern_european'
  | 'south_asian_indian'
  | 'south_asian_muslim'
  | 'african'
  | 'caribbean'
  | 'chinese'
  | 'middle_eastern';

type Pool = {
  readonly male: readonly string[];
  readonly female: readonly string[];
  readonly family: readonly string[];
};

const words = (text: string): readonly string[] => text.trim().split(/\s+/);

export const NAME_POOLS: Readonly<Record<NamePool, Pool>> = {
  british: {
    male: words(`Oliver George Harry Noah Jack Leo Arthur Charlie Oscar Jacob Thomas Alfie Freddie Henry Archie
      Theo Joshua James William Isaac Lucas Ethan Max Mason Logan Finley Daniel Samuel Joseph Alexander Dylan Riley
      Harrison Tyler Jayden Kai Callum Lewis Ryan Connor Liam Jamie Aaron Ben Luke Adam Nathan Kyle Reece Owen
      Toby Louie Albert Frankie Ronnie Tommy Reggie Stanley Teddy Elliot Harvey Sonny Jenson Brandon Bradley Jordan
      Shane Dean Craig Darren Lee Gary Paul Mark Wayne Stephen Michael David Christopher Andrew Richard Kevin Scott
      Carl Jason Martin Anthony Simon Neil Graham Keith Ian Robert John Peter Alan Colin Barry`),
    female:
      words(`Olivia Amelia Isla Ava Mia Ivy Lily Isabella Rosie Sophia Grace Freya Willow Florence Emily Ella
      Poppy Evie Elsie Charlotte Evelyn Sophie Daisy Phoebe Sienna Ruby Harper Millie Erin Matilda Scarlett Chloe
      Jessica Holly Megan Lauren Amber Leah Paige Courtney Jade Bethany Abbie Ellie Maisie Lacey Lexi Tilly Hollie
      Summer Esme Lola Layla Darcie Niamh Imogen Eleanor Alice Hannah Katie Rebecca Gemma Kirsty Stacey Kerry Leanne
      Natalie Nicola Samantha Emma Sarah Laura Claire Lisa Michelle Donna Tracey Joanne Karen Julie Angela Helen
      Susan Dawn Louise Kelly Hayley Charlene Danielle Jodie Toni Chelsea Shannon`),
    family:
      words(`Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson Thompson
      Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel Jackson Wood Turner Martin Cooper Hill
      Ward Morris Moore Clark Lee King Baker Harrison Morgan Allen James Scott Phillips Watson Davis Parker Price
      Bennett Young Griffiths Mitchell Kelly Cook Carter Richardson Bailey Collins Bell Shaw Murphy Miller Cox
      Richards Khan Marshall Anderson Simpson Ellis Adams Singh Begum Wilkinson Foster Chapman Powell Webb Rogers
      Gray Mason Ali Hunt Hussain Campbell Matthews Owen Palmer Holmes Mills Barnes Knight Lloyd Butler Russell
      Barker Fisher Stevens Jenkins Murray Dixon Harvey Graham Pearson Ahmed Fletcher Walsh Kaur Gibson Howard
      Andrews Stewart Elliott Reynolds Saunders Payne Fox Ford Pearce Day Brooks West Lawrence Cole Atkinson Bradley
      Spencer Gill Dawson Ball Burton Obrien Watts Rose Booth Perry Ryan Grant Wells Armstrong Francis Rees Hayes
      Hart Hudson Newman Barrett Webster Hunter Gregory Carr Lowe Page Marsh Riley Dunn Woods Parsons Berry Stone
      Reid Holland Hawkins Harding Porter Robertson Newton Oliver Reed Kennedy Williamson Bird Gardner Shah Dean
      Lane Cooke Bates Henderson Parry Burgess Bishop Walton Burns Nicholson Shepherd Ross Cross Long Freeman Warren
      Nicholls Hamilton Byrne Sutton McDonald Yates Hodgson Robson Curtis Hopkins Hughes Doyle Lambert Kemp`),
  },
  eastern_european: {
    male: words(`Jakub Szymon Filip Kacper Antoni Jan Mateusz Bartosz Michal Piotr Tomasz Krzysztof Pawel Marcin
      Andrei Alexandru Ionut Mihai Stefan Luca Matei David Vlad Darius Marius Florin Bogdan Lukas Tomas Mantas
      Dominik Adrian Patryk Oskar Nikola Emil Aleksander Igor Denis Robert`),
    female:
      words(`Zuzanna Julia Maja Zofia Hanna Lena Alicja Maria Amelia Oliwia Wiktoria Natalia Agnieszka Katarzyna
      Magdalena Anna Ioana Elena Andreea Maria Alexandra Bianca Daria Sofia Teodora Gabriela Ieva Greta Emilija
      Kamila Patrycja Paulina Karolina Monika Ewa Joanna Dorota Veronika Simona Larisa Irina`),
    family: words(`Nowak Kowalski Wisniewski Wojcik Kowalczyk Kaminski Lewandowski Zielinski Szymanski Wozniak
      Dabrowski Kozlowski Jankowski Mazur Kwiatkowski Krawczyk Piotrowski Grabowski Nowakowski Pawlowski Popescu
      Ionescu Popa Dumitru Stan Stoica Gheorghe Matei Ciobanu Rusu Constantin Marin Tudor Dinu Kazlauskas
      Jankauskas Petrauskas Horvath Novak Balogh Toth Kovacs Dimitrov Georgiev Ivanov`),
  },
  south_asian_indian: {
    male: words(`Arjun Aarav Rohan Vihaan Krish Dev Aryan Ishaan Kabir Reyansh Rahul Ravi Amit Sanjay Vijay Anil
      Rajesh Suresh Harpreet Gurpreet Jaspreet Manpreet Simran Harjit Kuldeep Ajay Nikhil Neil Jay Kiran Sunil
      Deepak Vikram Arun Ashok Hardeep Jasdeep Tejas Veer`),
    female:
      words(`Anaya Aanya Priya Diya Kavya Aisha Isha Riya Saanvi Navya Meera Asha Anjali Pooja Neha Sunita Rekha
      Anita Geeta Kamal Harleen Jaspreet Manjit Gurleen Simran Amrit Harpreet Rupinder Parminder Sukhdeep Nisha Leela
      Radhika Shreya Tara Maya Divya Jasleen Navneet Roshni`),
    family:
      words(`Patel Shah Sharma Singh Kaur Kumar Gill Sandhu Sidhu Dhillon Grewal Bains Mistry Parmar Chauhan
      Joshi Mehta Desai Modi Rana Thakkar Solanki Bhatt Pandya Gupta Verma Malhotra Kapoor Chopra Bhatia Rai Sahota
      Johal Atwal Virdi Sohal Mann Basra Dosanjh Nair Pillai Menon Iyer Reddy Rao`),
  },
  south_asian_muslim: {
    male: words(`Muhammad Mohammed Ibrahim Yusuf Ayaan Zayn Hamza Adam Ali Omar Bilal Imran Tariq Asif Zubair Khalid
      Saif Rayyan Idris Ismail Haroon Junaid Faisal Arif Nadeem Shahid Waqas Usman Abdullah Sami Rehan Azaan
      Harun Ayub Musa Shabir Rashid Aamir Irfan Sajid Mahir Rafiq Shahjahan Abdul Jamal Kamran`),
    female:
      words(`Maryam Fatima Aisha Zara Inaya Hafsa Khadija Amina Safa Sara Hana Noor Zainab Ayesha Alina Sana
      Iqra Mahnoor Eman Samina Nasreen Shazia Rubina Farzana Nazia Sabrina Tahmina Shamima Rukhsana Hina Saima
      Bushra Yasmin Nadia Amira Laila Sumaiya Mariam Rahima Shabnam Tasnim Anisa Halima Rabia Nusrat`),
    family:
      words(`Khan Ahmed Ali Hussain Begum Rahman Islam Uddin Miah Akhtar Shah Iqbal Mahmood Butt Chaudhry Malik
      Raja Qureshi Aslam Bibi Hassan Javed Rashid Sheikh Siddiqui Karim Haque Hossain Choudhury Ullah Rahim Latif
      Nawaz Sultan Bashir Anwar Yousaf Saleem Rafiq Mirza Kazmi Zaman Amin Aziz Hanif`),
  },
  african: {
    male: words(`David Daniel Samuel Joshua Emmanuel Michael Joseph Caleb Nathan Elijah Kwame Kofi Kwabena Yaw Kojo
      Chidi Chinedu Emeka Obinna Tunde Femi Segun Ade Dayo Tobi Abdi Mohamed Ahmed Yonas Dawit Tesfaye Kidane Amani
      Jabari Tendai Tafadzwa Blessing Gift Precious Godfrey Ebenezer Isaac`),
    female:
      words(`Grace Esther Blessing Favour Precious Mercy Joy Faith Deborah Ruth Abena Akosua Ama Efua Adwoa
      Chioma Ngozi Adaeze Amara Chiamaka Funmi Bisi Yetunde Temi Simi Ayan Hodan Fadumo Hibo Amina Selam Helen
      Meron Senait Tigist Nia Zawadi Imani Rutendo Chipo Tendai Makena`),
    family:
      words(`Mensah Owusu Boateng Asante Osei Appiah Agyeman Adjei Okafor Okonkwo Nwosu Eze Obi Adeyemi Adebayo
      Ogunleye Okoro Balogun Olawale Afolabi Abdi Hassan Mohamed Warsame Farah Yusuf Omar Tesfay Haile Gebre Bekele
      Mulugeta Kamau Otieno Mwangi Banda Phiri Moyo Dube Ncube Sithole Mutasa`),
  },
  caribbean: {
    male: words(`Jerome Marcus Tyrone Andre Delroy Winston Leon Jermaine Dwayne Trevor Clive Lloyd Desmond Everton
      Shaquille Kareem Malachi Jaheim Tyrese Kairo Kaiden Nathaniel Isaiah Reuben Zachary Josiah Elijah Micah Jaden
      Romario`),
    female:
      words(`Shanice Tanisha Keisha Aaliyah Jada Nia Imani Kiara Tiana Janelle Simone Marcia Beverley Paulette
      Yvonne Sharon Claudette Hyacinth Monique Shantelle Kadisha Leona Zuri Amani Destiny Serenity Nevaeh Jayda Ayanna
      Kenya`),
    family:
      words(`Campbell Brown Williams Johnson Thompson Clarke Francis Edwards Henry Grant Reid Gordon Lewis Walker
      Morgan Bailey Baptiste Charles Joseph Samuels Richards Forbes McKenzie Whyte Powell Allen Stewart Gayle Barnett
      Spencer Blake Douglas Dacosta Bryan`),
  },
  chinese: {
    male: words(`Wei Jun Hao Jie Ming Lei Chen Yang Tao Bo Kai Zhi Jian Long Feng Wing Ka Ho Chun Ethan Ryan Jason
      Kevin`),
    female:
      words(`Mei Ling Xin Yan Hui Jing Li Na Yu Fang Ying Qian Wen Lan Hong Chloe Grace Vivian Winnie Jenny Mandy
      Cherry`),
    family:
      words(`Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Luo Cheng Wong Chan Leung
      Cheung Lau Ng Ho Tang Yip Lam`),
  },
  middle_eastern: {
    male: words(`Ahmad Mohammad Ali Hassan Hussein Mustafa Karim Omar Yousef Samir Tariq Rami Ziad Hadi Jamal Rostam
      Dariush Arash Kaveh Reza Mehdi Amir Farhad Shiar Hawre Rebin Dilshad Aziz Wahid Naveed Jawad Sohrab Habib
      Nasir Wali Hamid Rahim Karwan Diyar`),
    female:
      words(`Fatemeh Zahra Maryam Leila Yasmin Noor Rania Dina Lina Huda Salma Layan Jana Sara Shirin Parisa
      Nasrin Roya Azadeh Niloufar Shilan Rozhin Avin Berivan Dilan Helin Zilan Mahsa Farida Nadia Hala Rasha Malak
      Sahar Bahar Soraya Zainab Amal Mina`),
    family:
      words(`Ahmadi Hosseini Mohammadi Rezaei Karimi Hashemi Rahimi Moradi Sadeghi Jafari Azizi Nazari Haidari
      Popal Sharifi Stanekzai Wardak Noori Barzani Talabani Mahmoud Hassan Ibrahim Saleh Khalil Haddad Nasser Mansour
      Abbas Aziz Qasim Rashid Yasin Darwish Kurdi Salih Amin Jalal Faraj`),
  },
};

/** The usual name pool for a DfE ethnicity code. */
export function poolForEthnicity(code: string, draw: number): NamePool {
  switch (code) {
    case 'WBRI':
    case 'WIRI':
    case 'WIRT':
      return 'british';
    case 'WOTH':
      return draw < 0.6 ? 'eastern_european' : 'british';
    case 'WROM':
      return 'eastern_european';
    case 'AIND':
      return 'south_asian_indian';
    case 'APKN':
    case 'ABAN':
      return 'south_asian_muslim';
    case 'AOTH':
      return draw < 0.5 ? 'middle_eastern' : 'south_asian_indian';
    case 'BCRB':
      return 'caribbean';
    case 'BAFR':
      return 'african';
    case 'BOTH':
      return draw < 0.5 ? 'african' : 'caribbean';
    case 'CHNE':
      return 'chinese';
    case 'OOTH':
      return draw < 0.8 ? 'middle_eastern' : 'chinese';
    case 'MWAS':
      return draw < 0.5 ? 'british' : 'south_asian_muslim';
    case 'MWBC':
      return draw < 0.7 ? 'british' : 'caribbean';
    case 'MWBA':
      return draw < 0.6 ? 'british' : 'african';
    default:
      return 'british';
  }
}

const STREETS = words(`Church Station Victoria Park Green Manor Mill School Queens Kings Grange Orchard Meadow
  Chapel Windsor Albert Springfield Highfield Elm Oak Ash Beech Cedar Willow Holly Hawthorn Rose Lime Chestnut
  Poplar Sycamore Maple Larch Rowan Alder Heath Moor Brook Bridge Castle Abbey Priory Market Hill Valley Forest
  Cross Windmill Marsh Fairfield Westfield Northfield Southfield Eastfield Newlands Broadway Clarence Cromwell
  Nelson Wellington Gladstone Cavendish Grosvenor Stanley Hampton Kensington Belmont Fernhill Ravenscroft
  Primrose Bluebell Foxglove Heather Lavender Clover Juniper Hazel Acorn Badger Kestrel Falcon Swallow Wren`);
const STREET_TYPES =
  words(`Road Street Lane Avenue Close Drive Way Crescent Grove Gardens Place Court Walk Rise View
  Terrace Mews`);

export function streetAddress(draw: () => number): string {
  const number = 1 + Math.floor(draw() * 160);
  const street = STREETS[Math.floor(draw() * STREETS.length)] ?? 'Church';
  const type = STREET_TYPES[Math.floor(draw() * STREET_TYPES.length)] ?? 'Road';
  return `${number} ${street} ${type}`;
}
